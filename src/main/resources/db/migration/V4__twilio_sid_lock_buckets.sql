-- lock_twilio_sid (V2) took one advisory lock per sid, and a transaction keeps its advisory
-- locks to the end: the CRM inserting many messages in one transaction ran PostgreSQL out of lock
-- slots ("out of shared memory"). The sids now share 256 locks: a transaction holds at most 256,
-- and two sids in one bucket only wait for each other's (short) transactions.
create or replace function lock_twilio_sid(sid text) returns void
    language plpgsql as
$$
begin
    perform pg_advisory_xact_lock(hashtext('twilio-sid'), hashtext(sid) & 255);
end;
$$;
