package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.http.UnknownEntityException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.sql.Types;
import java.time.OffsetDateTime;
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
 * transaction holding the person's row lock, so a person's alerts form a chain in the order they
 * were received ({@code received_at}, then {@code seq}): each diff is against the profile the
 * alert before it in that order left, and the snapshot is the last one's profile.
 *
 * <p>Nearly every alert is the newest of its person and simply extends the chain. One received
 * earlier than the newest stored (kept in the intake spool while the database was down, and
 * applied once it was back; or two alerts racing for the lock) takes its place in the chain: its
 * diff is against the profile of the alert before it, and the next alert with a profile gets its
 * diff again, against this one. The result is what applying them in receive order would have
 * stored.
 *
 * <p>Redelivery: an alert whose payload equals (as jsonb) the alert next to it in the chain (the
 * one before it, or the one after it) is the same alert again and stores nothing. Comparing with
 * its neighbours only, rather than with every alert ever received, keeps a genuine A, B, A
 * sequence (a change and its reversal) as three alerts; the payload has no id or timestamp that
 * could tell a late redelivery of A apart from a new A.
 */
@Component("profileChangeAlertStore")
public class ProfileChangeAlertStore {

    private static final Logger log = LoggerFactory.getLogger(ProfileChangeAlertStore.class);

    // The new person comes back as jsonb renders it, like the stored profiles, so both sides of the
    // diff spell numbers alike (jsonb prints 1e400 in full, 1.0e2 as 100).
    private static final String LOCK_PERSON = """
            select id, profile_snapshot::text as snapshot, cast(:person as jsonb)::text as person
            from people
            where alert_subscription_id = :subscriptionId
            for update""";

    // The alerts next to the new one in receive order, and whether either is the same alert.
    private static final String NEIGHBOURS = """
            with previous as (
                select payload from person_change_alerts
                 where person_id = :personId and received_at <= :receivedAt
                 order by received_at desc, seq desc limit 1
            ), following as (
                select payload from person_change_alerts
                 where person_id = :personId and received_at > :receivedAt
                 order by received_at, seq limit 1
            )
            select exists (select 1 from following) as later,
                   exists (select 1 from previous where payload = cast(:payload as jsonb))
                       or exists (select 1 from following where payload = cast(:payload as jsonb)) as redelivered""";

    // The profile the alert before a late one left: the last profile received before it.
    private static final String PROFILE_BEFORE = """
            select (payload -> 'data' -> 'person')::text from person_change_alerts
             where person_id = :personId and received_at <= :receivedAt
               and jsonb_typeof(payload -> 'data' -> 'person') = 'object'
             order by received_at desc, seq desc limit 1""";

    // The first alert after a late one that carries a profile: its diff is against the late one now.
    private static final String NEXT_WITH_PROFILE = """
            select id, (payload -> 'data' -> 'person')::text as person from person_change_alerts
             where person_id = :personId and received_at > :receivedAt
               and jsonb_typeof(payload -> 'data' -> 'person') = 'object'
             order by received_at, seq limit 1""";

    private static final String INSERT_ALERT = """
            insert into person_change_alerts (person_id, subscription_id, payload, diff, changed_fields, received_at)
            values (:personId, :subscriptionId, cast(:payload as jsonb), cast(:diff as jsonb), :changedFields, :receivedAt)""";

    private static final String REDIFF_ALERT = """
            update person_change_alerts set diff = cast(:diff as jsonb), changed_fields = :changedFields
             where id = :id""";

    private static final String MOVE_SNAPSHOT = """
            update people set profile_snapshot = cast(:person as jsonb), profile_snapshot_at = :receivedAt, updated_at = now()
             where id = :personId""";

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
                (String) alert.get("payload"), (JsonNode) alert.get("person"), (OffsetDateTime) alert.get("receivedAt")));
    }

    private int storeLocked(String subscriptionId, String payload, JsonNode alertPerson, OffsetDateTime receivedAt) {
        String person = alertPerson == null ? null : alertPerson.toString();
        List<Map<String, Object>> people = jdbc.queryForList(LOCK_PERSON, new MapSqlParameterSource()
                .addValue("subscriptionId", subscriptionId)
                .addValue("person", person, Types.VARCHAR));
        if (people.isEmpty()) {
            throw new UnknownEntityException("unknown subscriptionId");
        }
        String personId = (String) people.get(0).get("id");
        String renderedPerson = (String) people.get(0).get("person");
        MapSqlParameterSource alert = new MapSqlParameterSource()
                .addValue("personId", personId)
                .addValue("subscriptionId", subscriptionId)
                .addValue("payload", payload)
                .addValue("person", person, Types.VARCHAR)
                .addValue("receivedAt", receivedAt);
        Map<String, Object> neighbours = jdbc.queryForMap(NEIGHBOURS, alert);
        if (Boolean.TRUE.equals(neighbours.get("redelivered"))) {
            log.debug("Profile change alert for person {} is a redelivery; nothing stored", personId);
            return 0;
        }
        boolean late = Boolean.TRUE.equals(neighbours.get("later"));
        // The newest alert's diff is against the snapshot; a late one's against the profile before it.
        String before = late ? profileBefore(alert) : (String) people.get(0).get("snapshot");
        ProfileDiff diff = person == null ? ProfileDiff.none() : ProfileDiff.between(profile(before), profile(renderedPerson));
        jdbc.update(INSERT_ALERT, withDiff(alert, diff));
        if (person == null) {
            return 1;
        }
        List<Map<String, Object>> next = late ? jdbc.queryForList(NEXT_WITH_PROFILE, alert) : List.of();
        if (next.isEmpty()) {
            jdbc.update(MOVE_SNAPSHOT, alert);
        } else {
            ProfileDiff nextDiff = ProfileDiff.between(profile(renderedPerson), profile((String) next.get(0).get("person")));
            jdbc.update(REDIFF_ALERT, withDiff(new MapSqlParameterSource("id", next.get(0).get("id")), nextDiff));
        }
        return 1;
    }

    private String profileBefore(MapSqlParameterSource alert) {
        List<String> profile = jdbc.queryForList(PROFILE_BEFORE, alert, String.class);
        return profile.isEmpty() ? null : profile.get(0);
    }

    private static MapSqlParameterSource withDiff(MapSqlParameterSource parameters, ProfileDiff diff) {
        return parameters.addValue("diff", diff.patch().toString())
                .addValue("changedFields", diff.changedFields().toArray(String[]::new));
    }

    /** A profile as jsonb rendered it; no profile yet is the empty object, so the first alert adds every field. */
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
