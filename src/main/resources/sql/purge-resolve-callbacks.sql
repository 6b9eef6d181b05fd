-- Resolve callbacks (their raw payloads with them) received longer ago than their retention, one
-- batch, as purge-intake-ledger.sql says. An entity's latest callback stays, however old: a
-- redelivery is recognised by being equal to it (save-url-and-queue-enrichment.sql). Those stay at
-- the head of the oldest; the cursor (afterTime, afterId) keeps a batch from examining them again.
with mine as (
    select pg_try_advisory_xact_lock(hashtext('retention'), hashtext('resolve-callbacks')) as held),
examined as (
    select callback.id, callback.received_at, callback.entity_type, callback.entity_id
      from resolve_callbacks callback, mine
     where mine.held
       and callback.received_at < now() - make_interval(secs => cast(:#retentionSeconds as double precision))
       and (callback.received_at, callback.id) > (coalesce(cast(:#afterTime as timestamptz), '-infinity'),
                                                  coalesce(cast(:#afterId as text), ''))
     order by callback.received_at, callback.id
     limit cast(:#batchSize as integer)
       for update of callback skip locked),
superseded as (
    select examined.id from examined
     where exists (select 1 from resolve_callbacks newer
                    where newer.entity_type = examined.entity_type and newer.entity_id = examined.entity_id
                      and (newer.received_at, newer.id) > (examined.received_at, examined.id))),
purged as (
    delete from resolve_callbacks where id = any (array(select id from superseded)) returning 1),
last_examined as (
    select received_at, id from examined order by received_at desc, id desc limit 1)
select (select held from mine) as held, (select count(*) from purged) as purged,
       (select count(*) from examined) as examined,
       (select received_at from last_examined) as "afterTime", (select id from last_examined) as "afterId"
