-- The kept refused deliveries an operator asks for, newest first: of a webhook, of a reason, received
-- since and until (each filter null for any), a page of them. Not the body (GET /actuator/refused/{id}).
with filter as (
    select cast(:#webhook as text) as webhook, cast(:#reason as text) as reason,
           cast(:#since as timestamptz) as since, cast(:#until as timestamptz) as until
)
select refused.id, refused.webhook, refused.path_and_query, refused.received_at, refused.status,
       refused.reason, refused.message, refused.authenticated, refused.body_bytes, refused.kept_at,
       refused.replay_count, refused.replayed_at, refused.outcome, refused.applied_at
  from refused_deliveries refused, filter
 where (filter.webhook is null or refused.webhook = filter.webhook)
   and (filter.reason is null or refused.reason = filter.reason)
   and (filter.since is null or refused.received_at >= filter.since)
   and (filter.until is null or refused.received_at < filter.until)
 order by refused.received_at desc, refused.id desc
 limit :#limit offset :#offset
