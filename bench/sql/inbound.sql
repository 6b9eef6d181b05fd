-- What POST /api/webhooks/twilio/inbound runs per message (routes/twilio-inbound.camel.yaml):
-- the sender's candidates through the four phone indexes (ContactPhoneMatcher.CANDIDATES_SQL,
-- with the digit forms of an Australian mobile), then the insert with the whole form as payload
-- (to-postgres-insert-inbound-message, sql/insert-inbound-message.sql with media copying off; its
-- generated columns read it), each in its own transaction.
\set n random(0, 99999)
\set sid random(1, 9000000000000000000)
select 'RELATIONSHIP_PHONE_NUMBER' as source, contact_id, phone_number as stored
  from contact_relationship_profiles
 where phone_digits(phone_number) = any(array['6141' || lpad(:n::text, 7, '0'), '041' || lpad(:n::text, 7, '0'), '41' || lpad(:n::text, 7, '0')]) and contact_id is not null
union all
select 'RELATIONSHIP_WHATSAPP_NUMBER', contact_id, whatsapp_number
  from contact_relationship_profiles
 where phone_digits(whatsapp_number) = any(array['6141' || lpad(:n::text, 7, '0'), '041' || lpad(:n::text, 7, '0'), '41' || lpad(:n::text, 7, '0')]) and contact_id is not null
union all
select 'CONTACT_MOBILE', id, mobile from contacts where phone_digits(mobile) = any(array['6141' || lpad(:n::text, 7, '0'), '041' || lpad(:n::text, 7, '0'), '41' || lpad(:n::text, 7, '0')])
union all
select 'CONTACT_PHONE', id, phone from contacts where phone_digits(phone) = any(array['6141' || lpad(:n::text, 7, '0'), '041' || lpad(:n::text, 7, '0'), '41' || lpad(:n::text, 7, '0')]);
with message as (
    insert into messages (contact_id, direction, channel, twilio_sid, from_number, to_number, body, num_media, media, payload, status)
    values ('contact-' || :n, 'inbound', 'sms', 'SMpgbench' || :sid, '+6141' || lpad(:n::text, 7, '0'), '+61400000000',
            'Bench message', 0, cast('[]' as jsonb),
            cast('{"MessageSid": "SMpgbench", "AccountSid": "ACbench", "MessagingServiceSid": "MGbench", "From": "+61412345678", "To": "+61400000000", "Body": "Bench message", "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}' as jsonb),
            'received')
    on conflict (twilio_sid) do nothing
    returning id, media),
media_jobs as (
    insert into enrichment_jobs (entity_type, entity_id, message_id, media_item)
    select 'message_media', message.id || '/media-' || (item.position - 1), message.id, item.position - 1
      from message, jsonb_array_elements(message.media) with ordinality as item(media, position)
     where false
    returning id)
select count(*) as inserted from message;
