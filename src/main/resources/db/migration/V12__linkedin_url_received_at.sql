-- When the resolve callback that set an entity's LinkedIn URL was received: a callback received
-- earlier than the one applied (two spooled in one outage and drained in any order, by any
-- instance) leaves the URL alone, so the newest callback wins as it would have live. Null until a
-- callback sets the URL; the existing ones take the time of their entity's newest resolved callback.
alter table companies add column linkedin_url_received_at timestamptz;
alter table contacts add column linkedin_url_received_at timestamptz;
alter table people add column linkedin_url_received_at timestamptz;

update companies e set linkedin_url_received_at = (
    select max(received_at) from resolve_callbacks c
     where c.entity_type = 'company' and c.entity_id = e.id and c.outcome = 'resolved')
 where linkedin_url is not null;
update contacts e set linkedin_url_received_at = (
    select max(received_at) from resolve_callbacks c
     where c.entity_type = 'contact' and c.entity_id = e.id and c.outcome = 'resolved')
 where linkedin_url is not null;
update people e set linkedin_url_received_at = (
    select max(received_at) from resolve_callbacks c
     where c.entity_type = 'person' and c.entity_id = e.id and c.outcome = 'resolved')
 where linkedin_url is not null;

-- An entity's jobs, newest first: the resolve callback's refresh-period check reads its latest job.
create index enrichment_jobs_entity on enrichment_jobs (entity_type, entity_id, created_at desc);

-- The company, contact or person a resolve callback names (entity_type and its id), if the CRM has
-- it: what every resolve statement asks before it writes.
create function resolve_callback_entity(entity_type text, entity_id text) returns setof text
    language sql stable
    as $$ select id from companies where entity_type = 'company' and id = entity_id
          union all
          select id from contacts where entity_type = 'contact' and id = entity_id
          union all
          select id from people where entity_type = 'person' and id = entity_id $$;
