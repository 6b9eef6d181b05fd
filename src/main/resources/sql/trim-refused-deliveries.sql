-- The kept refused deliveries past their bounds go, per webhook and reason, oldest first: older than
-- the retention, past the newest maxCount, or past maxBytes of body counted from the newest.
-- Answers what went, by webhook, reason and why (the metric refused_deliveries_dropped_total), and
-- what stays, as why 'left', with its bytes (RefusedDeliveryBounds: when the next trim is due).
with bounds as (
    select now() - make_interval(secs => cast(:#retentionSeconds as double precision)) as oldest_kept,
           cast(:#maxCount as bigint) as max_count,
           cast(:#maxBytes as bigint) as max_bytes
), ranked as (
    select refused.id, refused.webhook, refused.reason, refused.body_bytes,
           row_number() over newest as position,
           sum(refused.body_bytes) over newest as bytes_to_here,
           refused.received_at < bounds.oldest_kept as expired,
           bounds.max_count, bounds.max_bytes
      from refused_deliveries refused, bounds
    window newest as (partition by refused.webhook, refused.reason order by refused.received_at desc, refused.id desc)
), past_bounds as (
    select id,
           case when expired then 'expired'
                when position > max_count then 'over-count'
                else 'over-bytes' end as why
      from ranked
     where expired or position > max_count or bytes_to_here > max_bytes
), dropped as (
    delete from refused_deliveries refused
     using past_bounds
     where refused.id = past_bounds.id
    returning refused.webhook, refused.reason, past_bounds.why
)
select webhook, reason, why, count(*) as count, 0 as bytes
  from dropped
 group by webhook, reason, why
 union all
select webhook, reason, 'left', count(*), sum(body_bytes)
  from ranked
 where not (expired or position > max_count or bytes_to_here > max_bytes)
 group by webhook, reason
