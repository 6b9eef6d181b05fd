-- Enrichment jobs finished (done or dead) longer ago than their retention, one batch, as
-- purge-intake-ledger.sql says. Never an open one (pending, running, waiting to retry), nor one whose
-- dead letter waits for an operator (its replay requeues it), nor a profile's latest job that is
-- not superseded: the refresh-period check of a resolve callback reads it. (A media copy is its
-- item's only job, and nothing reads it once finished.) Those stay at the head of the oldest; the
-- cursor (afterTime, afterId) keeps a batch from examining them again.
with mine as (
    select pg_try_advisory_xact_lock(hashtext('retention'), hashtext('enrichment-jobs')) as held),
examined as (
    select job.id, job.finished_at, job.created_at, job.entity_type, job.entity_id, job.outcome
      from enrichment_jobs job, mine
     where mine.held
       and job.state in ('done', 'dead')
       and job.finished_at < now() - make_interval(secs => cast(:#retentionSeconds as double precision))
       and (job.finished_at, job.id) > (coalesce(cast(:#afterTime as timestamptz), '-infinity'),
                                        coalesce(cast(:#afterId as text), ''))
     order by job.finished_at, job.id
     limit cast(:#batchSize as integer)
       for update of job skip locked),
unread as (
    select examined.id from examined
     where not exists (select 1 from dead_letters letter where letter.job_id = examined.id and letter.replayed_at is null)
       and (examined.outcome = 'superseded' or examined.entity_type = 'message_media'
            or exists (select 1 from enrichment_jobs newer
                        where newer.entity_type = examined.entity_type and newer.entity_id = examined.entity_id
                          and newer.outcome is distinct from 'superseded'
                          and (newer.created_at, newer.id) > (examined.created_at, examined.id)))),
purged as (
    delete from enrichment_jobs where id = any (array(select id from unread)) returning 1),
last_examined as (
    select finished_at, id from examined order by finished_at desc, id desc limit 1)
select (select held from mine) as held, (select count(*) from purged) as purged,
       (select count(*) from examined) as examined,
       (select finished_at from last_examined) as "afterTime", (select id from last_examined) as "afterId"
