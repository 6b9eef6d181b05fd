-- The intake ledger's rows applied longer ago than their retention, one batch in this statement's
-- own short transaction. Every purge-<kind>.sql of routes/retention.camel.yaml works so: only while
-- it holds the kind's advisory lock (two instances never purge a kind together; the one without it
-- purges nothing), it examines the next batchSize rows past their retention, oldest first, after the
-- last one the pass examined (afterTime, afterId; null at first), skipping rows a writer holds, and
-- deletes those of them that may go, by their keys as an array (a join there may be planned as a
-- scan of the whole table once the statement's plan is cached). Answers held, purged (rows gone),
-- examined, and afterTime and afterId for the next batch.
with mine as (
    select pg_try_advisory_xact_lock(hashtext('retention'), hashtext('intake-ledger')) as held),
examined as (
    select ledger.delivery_id, ledger.applied_at from intake_ledger ledger, mine
     where mine.held
       and ledger.applied_at < now() - make_interval(secs => cast(:#retentionSeconds as double precision))
       and (ledger.applied_at, ledger.delivery_id) > (coalesce(cast(:#afterTime as timestamptz), '-infinity'),
                                                      coalesce(cast(:#afterId as text), ''))
     order by ledger.applied_at, ledger.delivery_id
     limit cast(:#batchSize as integer)
       for update of ledger skip locked),
purged as (
    delete from intake_ledger where delivery_id = any (array(select delivery_id from examined)) returning 1),
last_examined as (
    select applied_at, delivery_id from examined order by applied_at desc, delivery_id desc limit 1)
select (select held from mine) as held, (select count(*) from purged) as purged,
       (select count(*) from examined) as examined,
       (select applied_at from last_examined) as "afterTime", (select delivery_id from last_examined) as "afterId"
