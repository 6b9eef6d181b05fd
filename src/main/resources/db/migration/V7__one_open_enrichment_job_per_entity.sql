-- How a finished enrichment job ended: 'enriched' (profile saved), 'not_found' (Reverse Contact has
-- no profile at the URL: its 404), 'superseded' (the entity has another LinkedIn URL now, or is
-- gone: nothing fetched or saved). Null while the job is open, and for a dead one.
alter table enrichment_jobs
    add column outcome text check (outcome in ('enriched', 'not_found', 'superseded'));
update enrichment_jobs
   set outcome = case when last_error like '%profile discarded' then 'superseded' else 'enriched' end
 where state = 'done';

-- At most one open job per entity, for its newest URL (it was one per entity and URL: each URL a
-- paid call, though only the entity's current URL is saved). Of several open jobs the one for the
-- entity's current URL stays, else the newest; the others finish as superseded.
with ranked as (
    select job.id,
           row_number() over (partition by job.entity_type, job.entity_id
                              order by job.linkedin_url is not distinct from (
                                           select linkedin_url from companies where job.entity_type = 'company' and id = job.entity_id
                                           union all
                                           select linkedin_url from contacts where job.entity_type = 'contact' and id = job.entity_id
                                           union all
                                           select linkedin_url from people where job.entity_type = 'person' and id = job.entity_id) desc,
                                       job.created_at desc, job.id desc) as position
      from enrichment_jobs job
     where job.state in ('pending', 'running'))
update enrichment_jobs job
   set state = 'done', outcome = 'superseded', finished_at = now(), lease_owner = null, lease_until = null,
       last_error = 'superseded: another open job of this ' || job.entity_type || ' was kept (one open job per entity)',
       updated_at = now()
  from ranked
 where job.id = ranked.id and ranked.position > 1;

-- The index instances of the previous version name in their resolve statement's ON CONFLICT: kept,
-- under another name, so they keep answering resolve callbacks during a rolling upgrade (the new
-- index implies it; a later migration can drop it).
alter index enrichment_jobs_one_open rename to enrichment_jobs_one_open_per_url;
create unique index enrichment_jobs_one_open
    on enrichment_jobs (entity_type, entity_id)
    where state in ('pending', 'running');
