-- A resolved callback: saves the LinkedIn URL on its entity and queues the entity's enrichment, and
-- records the callback, in one statement. Of the three updates only the one for the callback's type
-- can match. updated_at moves only when the URL changes. An entity has one open job (partial unique
-- index enrichment_jobs_one_open): a callback with the URL it already has queues nothing new; a newer
-- URL takes the open job over, as a fresh one due now (a running job's worker loses its lease, so its
-- late answer writes nothing). The callback is recorded unless it equals the entity's latest (a
-- redelivery). Gives the entities found (0: unknown) and the rows written (0: a repeat).
with company as (
    update companies
       set linkedin_url = :#linkedinUrl,
           updated_at = case when linkedin_url is distinct from :#linkedinUrl then now() else updated_at end
     where :#entityType = 'company' and id = :#entityId
    returning id),
contact as (
    update contacts
       set linkedin_url = :#linkedinUrl,
           updated_at = case when linkedin_url is distinct from :#linkedinUrl then now() else updated_at end
     where :#entityType = 'contact' and id = :#entityId
    returning id),
person as (
    update people
       set linkedin_url = :#linkedinUrl,
           updated_at = case when linkedin_url is distinct from :#linkedinUrl then now() else updated_at end
     where :#entityType = 'person' and id = :#entityId
    returning id),
entity as (
    select id from company union all select id from contact union all select id from person),
job as (
    insert into enrichment_jobs (entity_type, entity_id, linkedin_url, created_at)
    select :#entityType, id, :#linkedinUrl, :#receivedAt from entity
    on conflict (entity_type, entity_id) where state in ('pending', 'running')
    do update set linkedin_url = excluded.linkedin_url, created_at = excluded.created_at,
                  state = 'pending', attempts = 0, next_attempt_at = now(), lease_owner = null,
                  lease_until = null, last_error = null, updated_at = now()
     where enrichment_jobs.linkedin_url <> excluded.linkedin_url
       and enrichment_jobs.created_at <= excluded.created_at
    returning id),
callback as (
    insert into resolve_callbacks (entity_type, entity_id, received_at, outcome, linkedin_url, payload)
    select :#entityType, id, :#receivedAt, 'resolved', :#linkedinUrl, cast(:#payload as jsonb) from entity
     where cast(:#payload as jsonb) is distinct from (
           select payload from resolve_callbacks
            where entity_type = :#entityType and entity_id = :#entityId
            order by received_at desc, id desc limit 1)
    returning id)
select (select count(*) from entity) as entities,
       (select count(*) from job) + (select count(*) from callback) as written
