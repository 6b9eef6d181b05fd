-- The intake spool (routes/intake.camel.yaml): a delivery kept while the database could not take
-- it is applied later, exactly once. Its ledger row is written in the transaction that applies it:
-- a drainer killed before the commit leaves no row (the delivery is applied again), one killed
-- after it leaves the row (the delivery is skipped and removed from the spool).
create table intake_ledger (
    delivery_id text primary key,
    route_id    text not null,
    received_at timestamptz not null,
    applied_at  timestamptz not null default now()
);

-- A spooled delivery the database refused for good (a subscription or entity it does not have)
-- is a dead letter too, replayable once the row exists.
alter table dead_letters add column delivery_id text;
create index dead_letters_delivery on dead_letters (delivery_id) where delivery_id is not null;
