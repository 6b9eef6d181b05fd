-- Inbound media copied to R2 (routes/twilio-media.camel.yaml): each media item of an inbound
-- message is a job of the enrichment queue, so it shares its leasing, redelivery and dead letters.
-- Its entity is the item, '<message id>/media-<n>', so enrichment_jobs_one_open keeps it to one
-- open job; message_id and media_item say the same for the job's route, and a linkedin_url it has
-- none of.
alter table enrichment_jobs drop constraint enrichment_jobs_entity_type_check;
alter table enrichment_jobs
    add constraint enrichment_jobs_entity_type_check
        check (entity_type in ('company', 'contact', 'person', 'message_media'));
alter table enrichment_jobs alter column linkedin_url drop not null;
alter table enrichment_jobs
    add column message_id text,
    add column media_item integer,
    add constraint enrichment_jobs_kind_columns check (
        case when entity_type = 'message_media'
             then message_id is not null and media_item >= 0 and linkedin_url is null
             else linkedin_url is not null and message_id is null and media_item is null end);

-- 'copied': the media item is in R2 and recorded on its message.
alter table enrichment_jobs drop constraint enrichment_jobs_outcome_check;
alter table enrichment_jobs
    add constraint enrichment_jobs_outcome_check
        check (outcome in ('enriched', 'not_found', 'superseded', 'copied'));

-- An item is queued once, ever: a redelivered or replayed message queues nothing new.
create unique index enrichment_jobs_one_per_media_item
    on enrichment_jobs (message_id, media_item) where entity_type = 'message_media';
