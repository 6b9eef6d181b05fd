-- A callback with no match, or whose lookup errored: recorded unless it equals the entity's latest
-- (a redelivery); nothing else changes. Gives the entities found (0: unknown) and the rows written.
with entity as (
    select id from resolve_callback_entity(:#entityType, :#entityId) as found(id)),
callback as (
    insert into resolve_callbacks (entity_type, entity_id, received_at, outcome, error_code, payload)
    select :#entityType, id, :#receivedAt, :#outcome, :#errorCode, cast(:#payload as jsonb) from entity
     where cast(:#payload as jsonb) is distinct from (
           select payload from resolve_callbacks
            where entity_type = :#entityType and entity_id = :#entityId
            order by received_at desc, id desc limit 1)
    returning id)
select (select count(*) from entity) as entities, (select count(*) from callback) as written
