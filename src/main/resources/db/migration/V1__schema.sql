-- The webhook service's tables. The CRM owns most columns of people, companies and contacts:
-- every column but id is nullable or has a default, so a row can be written with its id and
-- the few columns a caller cares about. Ids are text (UUID strings), as in the rest of the CRM.

create table people (
    id                    text primary key default gen_random_uuid()::text,
    first_name            text,
    last_name             text,
    email                 text,
    linkedin_url          text,
    headline              text,
    -- Reverse Contact monitoring subscription; alerts name the person by it.
    alert_subscription_id text unique,
    -- The latest data.person of a profile change alert, and when it arrived.
    profile_snapshot      jsonb,
    profile_snapshot_at   timestamptz,
    -- The raw profile fetched by enrichment.
    linkedin_profile      jsonb,
    enriched_at           timestamptz,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now()
);

create table companies (
    id               text primary key default gen_random_uuid()::text,
    name             text,
    domain           text,
    linkedin_url     text,
    description      text,
    specialties      text[],
    -- Object key of the logo in the R2 bucket.
    logo_key         text,
    linkedin_profile jsonb,
    enriched_at      timestamptz,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

create table contacts (
    id                  text primary key default gen_random_uuid()::text,
    company_id          text,
    first_name          text,
    last_name           text,
    email               text,
    phone               text,
    mobile              text,
    linkedin_url        text,
    headline            text,
    -- Object key of the profile picture in the R2 bucket.
    profile_picture_key text,
    linkedin_profile    jsonb,
    enriched_at         timestamptz,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);
create index contacts_company_id on contacts (company_id);

create table contact_relationship_profiles (
    id              text primary key default gen_random_uuid()::text,
    contact_id      text,
    phone_number    text,
    whatsapp_number text,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
create index contact_relationship_profiles_contact_id on contact_relationship_profiles (contact_id);

create table person_change_alerts (
    id              text primary key default gen_random_uuid()::text,
    person_id       text,
    subscription_id text,
    -- The alert exactly as received.
    payload         jsonb,
    -- RFC 6902 JSON Patch from the previous snapshot to this alert's data.person.
    diff            jsonb not null default '[]'::jsonb,
    changed_fields  text[] not null default '{}',
    received_at     timestamptz not null default now()
);
create index person_change_alerts_person_id on person_change_alerts (person_id, received_at);

create table messages (
    id           text primary key default gen_random_uuid()::text,
    contact_id   text,
    direction    text check (direction in ('inbound', 'outbound')),
    channel      text check (channel in ('sms', 'whatsapp')),
    twilio_sid   text unique,
    from_number  text,
    to_number    text,
    body         text,
    num_media    integer not null default 0,
    -- [{ "url": ..., "contentType": ... }] from MediaUrlN / MediaContentTypeN.
    media        jsonb not null default '[]'::jsonb,
    status       text,
    error_code   text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);
create index messages_contact_id on messages (contact_id);

-- Every Twilio status callback, once: audit trail and the source of a message's status.
create table message_status_events (
    id          text primary key default gen_random_uuid()::text,
    twilio_sid  text not null default '',
    status      text not null default '',
    error_code  text,
    payload     jsonb,
    received_at timestamptz not null default now(),
    unique (twilio_sid, status)
);

-- Durable enrichment work: claimed with FOR UPDATE SKIP LOCKED under a lease.
create table enrichment_jobs (
    id              text primary key default gen_random_uuid()::text,
    entity_type     text check (entity_type in ('company', 'contact', 'person')),
    entity_id       text,
    linkedin_url    text,
    state           text not null default 'pending'
                    check (state in ('pending', 'running', 'done', 'dead')),
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_owner     text,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    finished_at     timestamptz
);
-- One open job per entity and URL: a repeated resolve callback adds none.
create unique index enrichment_jobs_one_open
    on enrichment_jobs (entity_type, entity_id, linkedin_url)
    where state in ('pending', 'running');
create index enrichment_jobs_due
    on enrichment_jobs (next_attempt_at)
    where state in ('pending', 'running');

-- Work that failed for good, kept with its error so an operator can replay it.
create table dead_letters (
    id          text primary key default gen_random_uuid()::text,
    route_id    text,
    job_id      text,
    payload     jsonb,
    headers     jsonb,
    error       text,
    failed_at   timestamptz not null default now(),
    replayed_at timestamptz
);
create index dead_letters_open on dead_letters (failed_at) where replayed_at is null;
