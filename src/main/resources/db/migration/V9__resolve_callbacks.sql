-- Every resolve callback Reverse Contact sent about an entity the CRM has, as received, and what
-- it came to: 'resolved' (linkedin_url saved on the entity, enrichment queued), 'no_match' (the
-- lookup found no profile) or 'errored' (the lookup failed; error_code as Reverse Contact gave it).
-- Only 'resolved' changes the entity. Reverse Contact does not publish the callback's exact body:
-- payload keeps all of it, the other candidates of an email lookup among it. (V8 is another
-- branch's.)
create table resolve_callbacks (
    id           text primary key default gen_random_uuid()::text,
    entity_type  text not null check (entity_type in ('company', 'contact', 'person')),
    entity_id    text not null,
    received_at  timestamptz not null,
    outcome      text not null check (outcome in ('resolved', 'no_match', 'errored')),
    linkedin_url text,
    error_code   text,
    payload      jsonb not null,
    check ((outcome = 'resolved') = (linkedin_url is not null))
);

-- An entity's callbacks, newest first: what an operator reads, and the redelivery check (a
-- callback equal to the entity's latest is not stored again).
create index resolve_callbacks_entity on resolve_callbacks (entity_type, entity_id, received_at desc);
