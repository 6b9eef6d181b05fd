-- An inbound message (routes/twilio-inbound.camel.yaml), once per MessageSid, with a media copy job
-- per media item (routes/twilio-media.camel.yaml) while copying is on, in one statement: the message
-- and its jobs commit together. A repeated MessageSid inserts no message, so it queues nothing.
-- Answers the messages inserted (1, or 0 for a repeat; the jobs are written whether read or not). payload is the whole form; the WhatsApp
-- profile and location columns are generated from it (V8__twilio_inbound_payload_rcs.sql).
with message as (
    insert into messages (contact_id, direction, channel, twilio_sid, from_number, to_number,
                          body, num_media, media, payload, status, created_at)
    values (:#contactId, 'inbound', :#channel, :#messageSid, :#fromNumber, :#toNumber,
            :#body, :#numMedia, cast(:#media as jsonb), cast(:#payload as jsonb), 'received', :#receivedAt)
    on conflict (twilio_sid) do nothing
    returning id, media),
media_jobs as (
    insert into enrichment_jobs (entity_type, entity_id, message_id, media_item)
    select 'message_media', message.id || '/media-' || (item.position - 1), message.id, item.position - 1
      from message, jsonb_array_elements(message.media) with ordinality as item(media, position)
     where cast(:#copyMedia as boolean)
    returning id)
select count(*) as inserted from message
