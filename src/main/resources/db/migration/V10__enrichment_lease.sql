-- The lease an enrichment run writes under, defined once: a run changes anything (its job, its
-- entity's profile, picture key) only while its job is still running under the lease owner of its
-- claim. A newer claim (the lease ran out) or a newer resolve callback (the job re-pointed) takes
-- the lease away, and the run's late writes then match nothing.

-- On the job's own row, for updates of enrichment_jobs: immutable, so PostgreSQL inlines it into a
-- plain column test, which a concurrent update re-checks on the row's newest version.
create function enrichment_job_leased_to(job enrichment_jobs, owner text) returns boolean
    language sql immutable
    as $$ select job.state = 'running' and job.lease_owner = owner $$;

-- By the job's id, for writes to other tables: stable, it reads enrichment_jobs as the statement sees it.
create function enrichment_lease_held(job_id text, owner text) returns boolean
    language sql stable
    as $$ select exists (select 1 from enrichment_jobs job where job.id = job_id and enrichment_job_leased_to(job, owner)) $$;
