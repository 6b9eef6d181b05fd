-- Dead letters replayed longer ago than their retention, one batch, as purge-intake-ledger.sql
-- says. One not replayed yet waits for an operator and is never purged.
with mine as (
    select pg_try_advisory_xact_lock(hashtext('retention'), hashtext('dead-letters')) as held),
examined as (
    select letter.id, letter.replayed_at from dead_letters letter, mine
     where mine.held
       and letter.replayed_at is not null
       and letter.replayed_at < now() - make_interval(secs => cast(:#retentionSeconds as double precision))
       and (letter.replayed_at, letter.id) > (coalesce(cast(:#afterTime as timestamptz), '-infinity'),
                                              coalesce(cast(:#afterId as text), ''))
     order by letter.replayed_at, letter.id
     limit cast(:#batchSize as integer)
       for update of letter skip locked),
purged as (
    delete from dead_letters where id = any (array(select id from examined)) returning 1),
last_examined as (
    select replayed_at, id from examined order by replayed_at desc, id desc limit 1)
select (select held from mine) as held, (select count(*) from purged) as purged,
       (select count(*) from examined) as examined,
       (select replayed_at from last_examined) as "afterTime", (select id from last_examined) as "afterId"
