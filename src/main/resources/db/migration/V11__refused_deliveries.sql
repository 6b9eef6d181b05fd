-- Deliveries a webhook refused after their body arrived in full (routes/refused-deliveries.camel.yaml):
-- kept as received, less the query's credentials, so an operator can replay them once the cause is
-- fixed (a rotated Twilio token, a wrong PUBLIC_BASE_URL, an entity created a moment later). Bounded
-- per webhook and reason by count, bytes and age; the oldest go first.
create table refused_deliveries (
    id             text primary key,
    webhook        text not null,
    path_and_query text not null,
    -- Only the headers a webhook reads (content type, Twilio's signature).
    headers        jsonb not null,
    body           bytea not null,
    body_bytes     integer generated always as (octet_length(body)) stored,
    received_at    timestamptz not null,
    -- The answer given and why: its status, the rejection's kind (webhooks_rejected_total's reason)
    -- and its message.
    status         integer not null,
    reason         text not null,
    message        text not null,
    -- Refused after its authentication had passed: a replay does not check it again (its credentials
    -- may have been stripped from the query).
    authenticated  boolean not null,
    kept_at        timestamptz not null default now(),
    replay_count   integer not null default 0,
    replayed_at    timestamptz,
    -- applied, or the message the last replay was refused with.
    outcome        text,
    applied_at     timestamptz
);

-- The bounds and the operator's filters: per webhook and reason, newest first.
create index refused_deliveries_by_reason on refused_deliveries (webhook, reason, received_at desc, id desc);
create index refused_deliveries_by_time on refused_deliveries (received_at desc, id desc);
