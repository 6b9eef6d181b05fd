-- A resolved callback: saves the LinkedIn URL on its entity and queues the entity's enrichment, and
-- records the callback, in one statement. Of the three updates only the one for the callback's type
-- can match, and only when no newer callback set the URL (linkedin_url_received_at; the condition is
-- checked again on the row's newest version when another callback updates it at the same time).
-- updated_at moves only when the URL changes. An entity has one open job (partial unique index
-- enrichment_jobs_one_open): a callback with the URL it already has queues nothing new; a newer URL
-- takes the open job over, as a fresh one due now (a running job's worker loses its lease, so its
-- late answer writes nothing). A URL the entity's latest job already has, queued within the refresh
-- period before this callback was received, queues nothing either: each job is a paid call. The
-- callback is recorded unless it equals the entity's latest (a redelivery). Gives the entities
-- found (0: unknown) and the rows written (0: a repeat).
with company as (
    update companies
       set linkedin_url = :#linkedinUrl, linkedin_url_received_at = :#receivedAt,
           updated_at = case when linkedin_url is distinct from :#linkedinUrl then now() else updated_at end
     where :#entityType = 'company' and id = :#entityId
       and (linkedin_url_received_at is null or linkedin_url_received_at <= :#receivedAt)
    returning id),
contact as (
    update contacts
       set linkedin_url = :#linkedinUrl, linkedin_url_received_at = :#receivedAt,
           updated_at = case when linkedin_url is distinct from :#linkedinUrl then now() else updated_at end
     where :#entityType = 'contact' and id = :#entityId
       and (linkedin_url_received_at is null or linkedin_url_received_at <= :#receivedAt)
    returning id),
person as (
    update people
       set linkedin_url = :#linkedinUrl, linkedin_url_received_at = :#receivedAt,
           updated_at = case when linkedin_url is distinct from :#linkedinUrl then now() else updated_at end
     where :#entityType = 'person' and id = :#entityId
       and (linkedin_url_received_at is null or linkedin_url_received_at <= :#receivedAt)
    returning id),
applied as (
    select id from company union all select id from contact union all select id from person),
entity as (
    select id from resolve_callback_entity(:#entityType, :#entityId) as found(id)),
latest_job as (
    select linkedin_url, created_at from enrichment_jobs
     where entity_type = :#entityType and entity_id = :#entityId and outcome is distinct from 'superseded'
     order by created_at desc, id desc limit 1),
job as (
    insert into enrichment_jobs (entity_type, entity_id, linkedin_url, created_at)
    select :#entityType, id, :#linkedinUrl, :#receivedAt from applied
     where not exists (
           select 1 from latest_job
            where linkedin_url = :#linkedinUrl
              and created_at > cast(:#receivedAt as timestamptz) - make_interval(secs => :#refreshPeriodMillis / 1000.0))
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
