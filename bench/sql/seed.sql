-- 100k contacts with Australian mobiles in the formats the CRM holds (E.164, spaced, national,
-- without +), half with a relationship profile, and 2M outbound messages for status callbacks
-- (6M distinct sid+status pairs: the requests to the service and the floor take the first half,
-- pgbench the second, so every callback of a run is new).
insert into contacts (id, first_name, last_name, mobile, phone)
select 'contact-' || n, 'First' || n, 'Last' || n,
       case n % 4
         when 0 then '+6141' || lpad(n::text, 7, '0')
         when 1 then '+61 41' || substr(lpad(n::text, 7, '0'), 1, 1) || ' ' || substr(lpad(n::text, 7, '0'), 2, 3) || ' ' || substr(lpad(n::text, 7, '0'), 5, 3)
         when 2 then '041' || lpad(n::text, 7, '0')
         else '6141' || lpad(n::text, 7, '0')
       end,
       '+612' || lpad(n::text, 8, '0')
from generate_series(0, 99999) as n;

insert into contact_relationship_profiles (contact_id, phone_number, whatsapp_number)
select 'contact-' || n, null, '+6141' || lpad(n::text, 7, '0')
from generate_series(0, 99999, 2) as n;

insert into messages (id, direction, channel, twilio_sid, from_number, to_number, body, status)
select 'message-' || n, 'outbound', 'sms', 'SMout' || lpad(n::text, 26, '0'), '+61400000000',
       '+6141' || lpad((n % 100000)::text, 7, '0'), 'Hello', 'accepted'
from generate_series(0, 1999999) as n;

-- pgbench's status callbacks, in turn (bench/sql/message-status.sql)
create sequence bench_status_callbacks;

analyze;
