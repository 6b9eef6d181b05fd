-- The key the intake spool's documents carry their MAC under, when INTAKE_SPOOL_KEY is not set:
-- made once by the first instance to start, and read by every instance sharing this database
-- (they share the R2 bucket too). docs/decisions.md says why it lives here.
create table intake_spool_key (
    -- One row: the spool has one key.
    id text primary key default 'intake-spool' check (id = 'intake-spool'),
    mac_key bytea not null check (octet_length(mac_key) >= 32),
    created_at timestamptz not null default now()
);
