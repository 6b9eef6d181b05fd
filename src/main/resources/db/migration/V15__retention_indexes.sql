-- What the retention purge (routes/retention.camel.yaml) reads to find the rows past their
-- retention, oldest first, a small batch at a time after the last one it examined: without these
-- each batch would scan its whole table. Partial where only finished rows can go, so they stay
-- small and cost the writes little.
-- "if not exists": on a very large table an operator may build one first with "concurrently"
-- (docs/decisions.md, V15's indexes).
create index if not exists intake_ledger_applied_at on intake_ledger (applied_at, delivery_id);
create index if not exists resolve_callbacks_received_at on resolve_callbacks (received_at, id);
create index if not exists message_status_events_received_at on message_status_events (received_at, id);
create index if not exists enrichment_jobs_finished_at on enrichment_jobs (finished_at, id) where state in ('done', 'dead');
create index if not exists dead_letters_replayed_at on dead_letters (replayed_at, id) where replayed_at is not null;
-- A finished job with an open dead letter stays (its replay needs it): found by the job's id.
create index if not exists dead_letters_open_job on dead_letters (job_id) where replayed_at is null and job_id is not null;
