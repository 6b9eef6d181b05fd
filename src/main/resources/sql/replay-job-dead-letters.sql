-- Replays the open dead letters of enrichment jobs (routes/dead-letters.camel.yaml): one (the body:
-- its id) or, with no id, every open one. Each is marked replayed and its job goes back to the
-- queue (pending, no attempts, due now), at most one job per entity (its newest) and none for an
-- entity that has an open job already (enrichment_jobs_one_open); that one job does the work of its
-- entity's letters, so they all count as replayed. Answers the ids of the letters replayed. The row
-- lock and "replayed_at is null" make a letter replay once, however many operators ask at once.
with replayed as (
    update dead_letters set replayed_at = now()
     where replayed_at is null and job_id is not null
       and (cast(:#${body} as text) is null or id = :#${body})
    returning id, job_id),
newest_per_entity as (
    select distinct on (job.entity_type, job.entity_id) job.id
      from enrichment_jobs job join replayed on job.id = replayed.job_id
     where job.state not in ('pending', 'running')
     order by job.entity_type, job.entity_id, job.created_at desc, job.id desc),
requeued as (
    update enrichment_jobs job
       set state = 'pending', attempts = 0, next_attempt_at = now(), lease_owner = null,
           lease_until = null, finished_at = null, outcome = null, updated_at = now()
      from newest_per_entity
     where job.id = newest_per_entity.id
       and not exists (select 1 from enrichment_jobs open
                        where open.entity_type = job.entity_type and open.entity_id = job.entity_id
                          and open.state in ('pending', 'running'))
    returning job.id)
select id from replayed order by id
