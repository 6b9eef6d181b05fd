-- The kept refused deliveries a replay of many takes, oldest first (as they were received): of a
-- webhook, of a reason, received since and until (each filter null for any), not applied yet.
with filter as (
    select cast(:#webhook as text) as webhook, cast(:#reason as text) as reason,
           cast(:#since as timestamptz) as since, cast(:#until as timestamptz) as until
)
select refused.id
  from refused_deliveries refused, filter
 where refused.applied_at is null
   and (filter.webhook is null or refused.webhook = filter.webhook)
   and (filter.reason is null or refused.reason = filter.reason)
   and (filter.since is null or refused.received_at >= filter.since)
   and (filter.until is null or refused.received_at < filter.until)
 order by refused.received_at, refused.id
