-- Twilio status callbacks received longer ago than their retention, one batch, as
-- purge-intake-ledger.sql says. The message row keeps the status they moved it to; a repeat of a
-- purged callback would only be applied again under the same never-backwards rule.
with mine as (
    select pg_try_advisory_xact_lock(hashtext('retention'), hashtext('message-status-events')) as held),
examined as (
    select event.id, event.received_at from message_status_events event, mine
     where mine.held
       and event.received_at < now() - make_interval(secs => cast(:#retentionSeconds as double precision))
       and (event.received_at, event.id) > (coalesce(cast(:#afterTime as timestamptz), '-infinity'),
                                            coalesce(cast(:#afterId as text), ''))
     order by event.received_at, event.id
     limit cast(:#batchSize as integer)
       for update of event skip locked),
purged as (
    delete from message_status_events where id = any (array(select id from examined)) returning 1),
last_examined as (
    select received_at, id from examined order by received_at desc, id desc limit 1)
select (select held from mine) as held, (select count(*) from purged) as purged,
       (select count(*) from examined) as examined,
       (select received_at from last_examined) as "afterTime", (select id from last_examined) as "afterId"
