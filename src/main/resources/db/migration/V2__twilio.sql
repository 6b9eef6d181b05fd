-- Twilio webhooks: the order of message statuses, status callbacks that arrive before their
-- message row, and indexes that find a contact by phone number without scanning every contact.

-- How far along a message is, by its Twilio status. Callbacks arrive out of order and carry no
-- timestamp, so a status only ever moves forward along this order:
--   scheduled < accepted < queued < sending, receiving < sent < partially_delivered
--   < delivered, undelivered, failed, canceled, received (final) < read
-- NULL for a status Twilio may add later: it is kept in message_status_events but not applied.
create function twilio_message_status_rank(status text) returns integer
    language sql immutable parallel safe
return case lower(status)
    when 'scheduled' then 10
    when 'accepted' then 20
    when 'queued' then 30
    when 'sending' then 40
    when 'receiving' then 40
    when 'sent' then 50
    when 'partially_delivered' then 55
    when 'delivered' then 60
    when 'undelivered' then 60
    when 'failed' then 60
    when 'canceled' then 60
    when 'received' then 60
    when 'read' then 70
end;

-- Whether a message whose status is `current` takes `candidate` from a callback: only a known
-- status further along, and never away from a final status, except delivered -> read (WhatsApp
-- reports reading after delivery). A status the CRM wrote that Twilio does not know (or none) is
-- replaced by any known one. Equal ranks do not replace each other: the first one recorded stays.
create function twilio_message_status_supersedes(candidate text, current text) returns boolean
    language sql immutable parallel safe
return twilio_message_status_rank(candidate) is not null
    and (twilio_message_status_rank(current) is null
         or (twilio_message_status_rank(candidate) > twilio_message_status_rank(current)
             and (twilio_message_status_rank(current) < 60 or lower(current) = 'delivered')));

-- A message's status follows its callbacks through two triggers, so the rule above is applied in
-- one place whichever comes first: a callback stored in message_status_events moves its message
-- on (if the row exists), and a twilio_sid appearing in messages (the CRM inserts the row, or sets
-- its sid, after Twilio's API answered; Twilio may call back before that) takes the callbacks
-- already kept for it, in the order they arrived.
--
-- The two race when the callback and the CRM's write are in flight together. Both triggers take
-- this transaction-scoped lock on the sid before they read the other table, so whichever gets it
-- second sees what the first committed: each statement of a PL/pgSQL function takes a fresh
-- snapshot. 64-bit hashes: two sids rarely share a lock, and when they do they only wait.
create function lock_twilio_sid(sid text) returns void
    language plpgsql as
$$
begin
    perform pg_advisory_xact_lock(hashtextextended('twilio-sid:' || sid, 0));
end;
$$;

create function message_status_events_apply_to_message() returns trigger
    language plpgsql as
$$
begin
    perform lock_twilio_sid(new.twilio_sid);
    update messages
       set status = new.status, error_code = new.error_code, updated_at = now()
     where twilio_sid = new.twilio_sid
       and twilio_message_status_supersedes(new.status, status);
    return null;
end;
$$;

-- Fires only for a callback not seen before: a repeat is not inserted (ON CONFLICT DO NOTHING).
create trigger message_status_events_apply_to_message
    after insert on message_status_events
    for each row execute function message_status_events_apply_to_message();

create function messages_apply_early_status_callbacks() returns trigger
    language plpgsql as
$$
declare
    callback record;
begin
    if new.twilio_sid is null or (tg_op = 'UPDATE' and new.twilio_sid is not distinct from old.twilio_sid) then
        return new;
    end if;
    perform lock_twilio_sid(new.twilio_sid);
    for callback in
        select status, error_code from message_status_events
        where twilio_sid = new.twilio_sid
        order by received_at, id
    loop
        if twilio_message_status_supersedes(callback.status, new.status) then
            new.status := callback.status;
            new.error_code := callback.error_code;
        end if;
    end loop;
    return new;
end;
$$;

create trigger messages_apply_early_status_callbacks
    before insert or update of twilio_sid on messages
    for each row execute function messages_apply_early_status_callbacks();

-- Phone numbers are stored as people typed them: '+61 412 345 678', '0412 345 678',
-- '61412345678'. Their digits alone are indexed; an inbound sender is looked up by the few digit
-- strings its number can be written as, and each hit is confirmed by full E.164 normalisation
-- (libphonenumber) in the service. See ContactPhoneMatcher.
create function phone_digits(value text) returns text
    language sql immutable strict parallel safe
return regexp_replace(value, '[^0-9]', '', 'g');

create index contact_relationship_profiles_phone_number_digits
    on contact_relationship_profiles (phone_digits(phone_number));
create index contact_relationship_profiles_whatsapp_number_digits
    on contact_relationship_profiles (phone_digits(whatsapp_number));
create index contacts_mobile_digits on contacts (phone_digits(mobile));
create index contacts_phone_digits on contacts (phone_digits(phone));
