-- enrichment_jobs is the service's own table, written only by the resolve route: a job without
-- its entity type, entity id or LinkedIn URL can never run. Such a row (written by hand, say) is
-- kept as a dead letter, then the columns refuse it.
insert into dead_letters (route_id, job_id, payload, error)
select 'V5__enrichment_jobs_not_null', id, to_jsonb(enrichment_jobs), 'job without entity type, entity id or LinkedIn URL'
  from enrichment_jobs
 where entity_type is null or entity_id is null or linkedin_url is null;
delete from enrichment_jobs where entity_type is null or entity_id is null or linkedin_url is null;

alter table enrichment_jobs
    alter column entity_type set not null,
    alter column entity_id set not null,
    alter column linkedin_url set not null;
