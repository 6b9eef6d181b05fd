-- Inbound messages keep Twilio's whole form, and RCS is a channel of its own.
--
-- payload: every field of the inbound form as received, a single value as a string, a repeated
-- one as a list (as message_status_events.payload keeps a status callback). Twilio adds fields
-- without notice (ButtonPayload, OriginalRepliedMessageSid, Referral*, ...): none is lost. NULL for
-- rows the CRM writes (outbound) and for inbound rows stored before V8: their form was not kept,
-- and the fixed columns hold all that was; a form rebuilt from them would pass for one Twilio sent.
--
-- The WhatsApp sender's profile and a shared location are stored generated columns over payload,
-- each Twilio's field in snake case (location_ before Address and Label, which alone would read
-- as a message's address and label). Columns, not expression indexes: these values are read with
-- the message far more often than searched for, a column serves every reader (SQL, the CRM's
-- ORM) where an expression index serves only queries that repeat its expression, and a
-- coordinate is parsed once, when the row is written, where a cast in a query fails the whole
-- query on one odd value. A column can still be indexed when a search needs it. The price: this
-- migration rewrites messages once.
create function twilio_coordinate(value text) returns double precision
    language sql immutable strict parallel safe
return case when value ~ '^\s*[-+]?[0-9]{1,3}(\.[0-9]+)?\s*$' then value::double precision end;

alter table messages
    add column payload          jsonb,
    add column profile_name     text generated always as (payload ->> 'ProfileName') stored,
    add column wa_id            text generated always as (payload ->> 'WaId') stored,
    add column latitude         double precision generated always as (twilio_coordinate(payload ->> 'Latitude')) stored,
    add column longitude        double precision generated always as (twilio_coordinate(payload ->> 'Longitude')) stored,
    add column location_address text generated always as (payload ->> 'Address') stored,
    add column location_label   text generated always as (payload ->> 'Label') stored,
    -- RCS (From=rcs:+1..., To=rcs:<agent id>): its own channel, not SMS.
    drop constraint messages_channel_check,
    add constraint messages_channel_check check (channel in ('sms', 'whatsapp', 'rcs'));
