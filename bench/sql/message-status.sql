-- What POST /api/webhooks/twilio/message-status runs per callback
-- (routes/twilio-message-status.camel.yaml): one insert (TwilioStatusCallbacks.INSERT_SQL), whose
-- trigger moves the message on.
\set n random(0, 999999)
\set st random(1, 3)
insert into message_status_events (twilio_sid, status, error_code, payload)
values ('SMout' || lpad(:n::text, 26, '0'), (array['queued', 'sent', 'delivered'])[:st], null,
        cast('{"MessageSid": "SMout", "MessageStatus": "sent", "AccountSid": "ACbench", "ApiVersion": "2010-04-01"}' as jsonb))
on conflict (twilio_sid, status) do nothing;
