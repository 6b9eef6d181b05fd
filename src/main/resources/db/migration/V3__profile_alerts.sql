-- Profile change alerts form a chain per person: each diff is against the snapshot the alert
-- before it left. received_at alone cannot order that chain (two alerts can share a timestamp),
-- so every alert gets a strictly increasing number. Alerts of one person are written one at a
-- time under the person's row lock, so for one person seq order is commit order.
alter table person_change_alerts add column seq bigint generated always as identity;

-- The latest alert of a person (the redelivery check) and the chain in order.
create index person_change_alerts_person_seq on person_change_alerts (person_id, seq);
