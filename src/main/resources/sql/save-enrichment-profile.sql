-- Saves a Reverse Contact profile on the job's entity (the body: enrichedProfiles.columns). Of the
-- three updates only the one for the job's entity type can match, and only while the entity still
-- has the URL the job was for and the job holds its lease. Name fields fill only what is empty.
-- Answers how many rows were saved: 0 means the profile is stale (or the lease gone).
with company as (
    update companies
       set description = coalesce(cast(:#description as text), description),
           specialties = coalesce(cast(:#specialties as text[]), specialties),
           name = coalesce(case when coalesce(name, '') = '' then cast(:#name as text) end, name),
           linkedin_profile = cast(:#profile as jsonb),
           enriched_at = now(), updated_at = now()
     where :#entityType = 'company' and id = :#entityId and linkedin_url = :#linkedinUrl
       and enrichment_lease_held(:#jobId, :#leaseOwner)
    returning id),
contact as (
    update contacts
       set headline = coalesce(cast(:#headline as text), headline),
           first_name = coalesce(case when coalesce(first_name, '') = '' then cast(:#firstName as text) end, first_name),
           last_name = coalesce(case when coalesce(last_name, '') = '' then cast(:#lastName as text) end, last_name),
           linkedin_profile = cast(:#profile as jsonb),
           enriched_at = now(), updated_at = now()
     where :#entityType = 'contact' and id = :#entityId and linkedin_url = :#linkedinUrl
       and enrichment_lease_held(:#jobId, :#leaseOwner)
    returning id),
person as (
    update people
       set headline = coalesce(cast(:#headline as text), headline),
           first_name = coalesce(case when coalesce(first_name, '') = '' then cast(:#firstName as text) end, first_name),
           last_name = coalesce(case when coalesce(last_name, '') = '' then cast(:#lastName as text) end, last_name),
           linkedin_profile = cast(:#profile as jsonb),
           enriched_at = now(), updated_at = now()
     where :#entityType = 'person' and id = :#entityId and linkedin_url = :#linkedinUrl
       and enrichment_lease_held(:#jobId, :#leaseOwner)
    returning id)
select (select count(*) from company) + (select count(*) from contact) + (select count(*) from person) as saved
