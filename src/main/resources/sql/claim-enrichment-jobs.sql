-- Claims due jobs for this instance (routes/enrichment-jobs.camel.yaml, enrichment-poll): pending
-- ones whose time has come, and running ones whose lease ran out (their instance is presumed dead).
-- SKIP LOCKED lets any number of instances claim at once; each claim counts as an attempt. Profile
-- jobs only while Reverse Contact can be called (profileJobs), media copies only while Twilio
-- credentials are set (mediaJobs): the others wait in the queue.
with due as (
    select id from enrichment_jobs
     where ((state = 'pending' and next_attempt_at <= now())
            or (state = 'running' and lease_until < now()))
       and case when entity_type = 'message_media' then cast(:#mediaJobs as boolean)
                else cast(:#profileJobs as boolean) end
     order by next_attempt_at
     limit :#batchSize
       for update skip locked)
update enrichment_jobs j
   set state = 'running', lease_owner = :#leaseOwner,
       lease_until = clock_timestamp() + make_interval(secs => :#leaseMillis / 1000.0),
       attempts = j.attempts + 1, updated_at = now()
  from due
 where j.id = due.id
returning j.id, j.entity_type, j.entity_id, j.linkedin_url, j.message_id, j.media_item, j.attempts, j.lease_owner
