package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.http.UnknownEntityException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores a profile change alert with its diff and moves the person's snapshot on, in one
 * transaction holding the person's row lock, so alerts for one person form a chain: each diff is
 * against the snapshot the alert before it left, whatever order concurrent requests arrive in.
 *
 * <p>Redelivery: an alert whose payload equals (as jsonb) the person's most recent alert is the
 * same alert again and stores nothing. Comparing with the most recent alert only, rather than with
 * every alert ever received, keeps a genuine A, B, A sequence (a change and its reversal) as three
 * alerts; the payload has no id or timestamp that could tell a late redelivery of A apart from a
 * new A. Two statements: lock and read the snapshot; then insert-unless-redelivered and update
 * the snapshot together. The second statement starts after the lock is held, so it sees every
 * alert committed before it.
 */
@Component("profileChangeAlertStore")
public class ProfileChangeAlertStore {

    private static final Logger log = LoggerFactory.getLogger(ProfileChangeAlertStore.class);

    // The new person comes back as jsonb renders it, like the stored snapshot, so both sides of
    // the diff spell numbers alike (jsonb prints 1e400 in full, 1.0e2 as 100).
    private static final String LOCK_PERSON = """
            select id, profile_snapshot::text as snapshot, cast(:person as jsonb)::text as person
            from people
            where alert_subscription_id = :subscriptionId
            for update""";

    // received_at is clock_timestamp(), taken under the lock, not now() (the transaction's start):
    // it then grows along the chain like seq does.
    private static final String STORE_ALERT = """
            with latest as (
                select payload from person_change_alerts
                where person_id = :personId
                order by seq desc
                limit 1
            ), alert as (
                insert into person_change_alerts (person_id, subscription_id, payload, diff, changed_fields, received_at)
                select :personId, :subscriptionId, cast(:payload as jsonb), cast(:diff as jsonb), :changedFields,
                       clock_timestamp()
                where not exists (select 1 from latest where latest.payload = cast(:payload as jsonb))
                returning received_at
            ), snapshot as (
                update people
                set profile_snapshot = cast(:person as jsonb), profile_snapshot_at = alert.received_at,
                    updated_at = alert.received_at
                from alert
                where people.id = :personId and cast(:person as jsonb) is not null
            )
            select count(*) from alert""";

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ObjectReader profiles;

    public ProfileChangeAlertStore(NamedParameterJdbcTemplate jdbc, TransactionTemplate transaction,
            ObjectMapper objectMapper) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.profiles = ProfileChangeAlertReader.profileReader(objectMapper);
    }

    /**
     * Stores an alert {@link ProfileChangeAlertReader} read; the rows written: 1, or 0 for a
     * redelivery. 404 when no person has the subscription.
     */
    public int store(Map<String, Object> alert) {
        // Valid JSON that jsonb refuses (\u0000, a lone surrogate) fails here with a data exception:
        // the shared error handling answers it with 400.
        return transaction.execute(status -> storeLocked((String) alert.get("subscriptionId"),
                (String) alert.get("payload"), (JsonNode) alert.get("person")));
    }

    private int storeLocked(String subscriptionId, String payload, JsonNode alertPerson) {
        String person = alertPerson == null ? null : alertPerson.toString();
        List<Map<String, Object>> people = jdbc.queryForList(LOCK_PERSON, new MapSqlParameterSource()
                .addValue("subscriptionId", subscriptionId)
                .addValue("person", person, Types.VARCHAR));
        if (people.isEmpty()) {
            throw new UnknownEntityException("unknown subscriptionId");
        }
        Map<String, Object> row = people.get(0);
        String personId = (String) row.get("id");
        ProfileDiff diff = person == null
                ? ProfileDiff.none()
                : ProfileDiff.between(profile((String) row.get("snapshot")), profile((String) row.get("person")));
        Integer stored = jdbc.queryForObject(STORE_ALERT, new MapSqlParameterSource()
                .addValue("personId", personId)
                .addValue("subscriptionId", subscriptionId)
                .addValue("payload", payload)
                .addValue("diff", diff.patch().toString())
                .addValue("changedFields", diff.changedFields().toArray(String[]::new))
                .addValue("person", person, Types.VARCHAR), Integer.class);
        if (stored == null || stored == 0) {
            log.debug("Profile change alert for person {} is a redelivery; nothing stored", personId);
            return 0;
        }
        return stored;
    }

    /** A profile as jsonb rendered it; no snapshot yet is the empty object, so the first alert adds every field. */
    private JsonNode profile(String jsonb) {
        if (jsonb == null) {
            return profiles.createObjectNode();
        }
        try {
            return profiles.readTree(jsonb);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("jsonb rendered text that is not JSON", e);
        }
    }
}
