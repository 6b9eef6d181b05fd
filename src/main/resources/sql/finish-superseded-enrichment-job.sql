-- Finishes a claimed job (the body: its row) as superseded when its entity no longer has the job's
-- LinkedIn URL, or is gone: fetching it would pay for a stale profile. One row updated: superseded.
update enrichment_jobs job
   set state = 'done', outcome = 'superseded', finished_at = now(),
       last_error = 'superseded: the ' || job.entity_type || ' has another LinkedIn URL now, or is gone; not fetched',
       lease_owner = null, lease_until = null, updated_at = now()
 where job.id = :#id and enrichment_job_leased_to(job, :#lease_owner)
   and job.linkedin_url is distinct from (
       select linkedin_url from companies where job.entity_type = 'company' and id = job.entity_id
       union all
       select linkedin_url from contacts where job.entity_type = 'contact' and id = job.entity_id
       union all
       select linkedin_url from people where job.entity_type = 'person' and id = job.entity_id)
