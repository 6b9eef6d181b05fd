-- What POST /api/webhooks/twilio/message-status runs per callback
-- (routes/twilio-message-status.camel.yaml): one insert (to-postgres-insert-status-event), whose
-- trigger moves the message on. Like the service's, every callback is new: (message, status)
-- pairs in turn from a sequence, over the seeded messages 1000000-1999999 (the requests to the
-- service and the floor use 0-999999). The nextval is the only addition to the route's statement.
insert into message_status_events (twilio_sid, status, error_code, payload)
select 'SMout' || lpad((1000000 + s % 1000000)::text, 26, '0'), (array['queued', 'sent', 'delivered'])[1 + (s / 1000000) % 3],
       null, cast('{"MessageSid": "SMout", "MessageStatus": "sent", "AccountSid": "ACbench", "ApiVersion": "2010-04-01"}' as jsonb)
  from nextval('bench_status_callbacks') as s
on conflict (twilio_sid, status) do nothing;
