package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.edge.UnknownEntityException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.TransientDataAccessResourceException;
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
 * <p>The diff is computed before the row lock is taken and applied under it when nothing it depends
 * on changed meanwhile (the person's last alert, its snapshot), so the lock and its pooled
 * connection are held for the writes alone; arrays too long to diff element by element are
 * replaced whole ({@link ProfileDiff}).
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

    // Whether anything a prepared diff depends on changed since: a new alert, or another snapshot.
    private static final String CHAIN_VERSION = """
            select coalesce((select max(seq) from person_change_alerts where person_id = :personId), 0)
                   || ':' || coalesce(md5(profile_snapshot::text), '')
              from people where id = :personId""";

    // Taken before the version is read, in its own statement: a statement that waited for the lock
    // still reads with the snapshot it started with, and would miss what the holder committed.
    private static final String LOCK_PERSON = "select id from people where id = :personId for update";

    // With the chain's version in the same statement, read before anything else a diff depends on:
    // whatever changes after it shows as another version under the lock.
    private static final String FIND_PERSON = """
            select id, profile_snapshot::text as snapshot, cast(:person as jsonb)::text as person,
                   coalesce((select max(seq) from person_change_alerts where person_id = people.id), 0)
                   || ':' || coalesce(md5(profile_snapshot::text), '') as version
            from people
            where alert_subscription_id = :subscriptionId""";

    /** Attempts to apply a diff prepared outside the lock before preparing it under the lock. */
    private static final int OPTIMISTIC_ATTEMPTS = 3;

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ObjectReader profiles;
    private final int maxArrayLength;
    private final Semaphore alertsAtOnce;
    private final Duration waitForTurn;

    public ProfileChangeAlertStore(NamedParameterJdbcTemplate jdbc, TransactionTemplate transaction,
            ObjectMapper objectMapper,
            @Value("${webhooks.alerts.max-array-diff}") int maxArrayLength,
            @Value("${webhooks.alerts.max-concurrent}") int maxConcurrent,
            @Value("${webhooks.alerts.wait-for-turn}") Duration waitForTurn) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.profiles = ProfileChangeAlertReader.profileReader(objectMapper);
        this.maxArrayLength = maxArrayLength;
        this.alertsAtOnce = new Semaphore(Math.max(1, maxConcurrent));
        this.waitForTurn = waitForTurn;
    }

    /**
     * Stores an alert {@link ProfileChangeAlertReader} read; the rows written: 1, or 0 for a
     * redelivery. 404 when no person has the subscription.
     *
     * <p>At most {@code webhooks.alerts.max-concurrent} alerts are stored at once, so alerts can
     * never hold every pooled connection from the other webhooks; one that does not get its turn
     * within {@code webhooks.alerts.wait-for-turn} is treated as the database not taking it now
     * (the webhook keeps it in the intake spool). Its diff is computed before the person's row is
     * locked, and applied under the lock if nothing it depends on changed meanwhile; else it is
     * computed again.
     */
    public int store(Map<String, Object> alert) {
        boolean turn;
        try {
            turn = alertsAtOnce.tryAcquire(waitForTurn.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            turn = false;
        }
        if (!turn) {
            throw new TransientDataAccessResourceException("too many profile change alerts at once",
                    new SQLTransientConnectionException("every alert slot is busy"));
        }
        try {
            return store((String) alert.get("subscriptionId"), (String) alert.get("payload"),
                    (JsonNode) alert.get("person"), (OffsetDateTime) alert.get("receivedAt"));
        } finally {
            alertsAtOnce.release();
        }
    }

    private int store(String subscriptionId, String payload, JsonNode alertPerson, OffsetDateTime receivedAt) {
        String person = alertPerson == null ? null : alertPerson.toString();
        MapSqlParameterSource alert = new MapSqlParameterSource()
                .addValue("subscriptionId", subscriptionId)
                .addValue("payload", payload)
                .addValue("person", person, Types.VARCHAR)
                .addValue("receivedAt", receivedAt);
        // Valid JSON that jsonb refuses (\u0000, a lone surrogate) fails here with a data exception:
        // the shared error handling answers it with 400.
        for (int attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
            Prepared prepared = prepare(alert, person);
            Integer stored = transaction.execute(status -> {
                jdbc.queryForObject(LOCK_PERSON, alert, String.class);
                String version = jdbc.queryForObject(CHAIN_VERSION, alert, String.class);
                return version.equals(prepared.version()) ? apply(prepared, alert) : null;
            });
            if (stored != null) {
                return stored;
            }
            log.debug("Profile change alert for person {} raced another; diffing again", alert.getValue("personId"));
        }
        return transaction.execute(status -> {
            withPerson(alert, person);
            jdbc.queryForObject(LOCK_PERSON, alert, String.class);
            return apply(prepare(alert, person), alert);
        });
    }

    /** What the alert will write, computed from what is stored now, without a lock. */
    private record Prepared(String version, boolean redelivery, boolean late, ProfileDiff diff, String nextId,
                            ProfileDiff nextDiff) {
    }

    private Prepared prepare(MapSqlParameterSource alert, String person) {
        Map<String, Object> row = withPerson(alert, person);
        String personId = (String) row.get("id");
        String version = (String) row.get("version");
        Map<String, Object> neighbours = jdbc.queryForMap(NEIGHBOURS, alert);
        if (Boolean.TRUE.equals(neighbours.get("redelivered"))) {
            return new Prepared(version, true, false, null, null, null);
        }
        boolean late = Boolean.TRUE.equals(neighbours.get("later"));
        if (person == null) {
            return new Prepared(version, false, late, ProfileDiff.none(), null, null);
        }
        String renderedPerson = (String) row.get("person");
        // The newest alert's diff is against the snapshot; a late one's against the profile before it.
        String before = late ? profileBefore(alert) : (String) row.get("snapshot");
        ProfileDiff diff = ProfileDiff.between(profile(before), profile(renderedPerson), maxArrayLength);
        List<Map<String, Object>> next = late ? jdbc.queryForList(NEXT_WITH_PROFILE, alert) : List.of();
        if (next.isEmpty()) {
            return new Prepared(version, false, late, diff, null, null);
        }
        ProfileDiff nextDiff = ProfileDiff.between(profile(renderedPerson), profile((String) next.get(0).get("person")),
                maxArrayLength);
        log.debug("Profile change alert for person {} came in before a stored one; its diff is computed again", personId);
        return new Prepared(version, false, late, diff, (String) next.get(0).get("id"), nextDiff);
    }

    /** Looks the person up (404 when none has the subscription) and puts its id on the parameters. */
    private Map<String, Object> withPerson(MapSqlParameterSource alert, String person) {
        List<Map<String, Object>> people = jdbc.queryForList(FIND_PERSON, alert);
        if (people.isEmpty()) {
            throw new UnknownEntityException("unknown subscriptionId");
        }
        alert.addValue("personId", people.get(0).get("id"));
        return people.get(0);
    }

    /** Writes a prepared alert, under the person's lock; nothing for a redelivery. */
    private int apply(Prepared prepared, MapSqlParameterSource alert) {
        if (prepared.redelivery()) {
            log.debug("Profile change alert for person {} is a redelivery; nothing stored", alert.getValue("personId"));
            return 0;
        }
        jdbc.update(INSERT_ALERT, withDiff(alert, prepared.diff()));
        if (alert.getValue("person") == null) {
            return 1;
        }
        if (prepared.nextId() == null) {
            jdbc.update(MOVE_SNAPSHOT, alert);
        } else {
            jdbc.update(REDIFF_ALERT, withDiff(new MapSqlParameterSource("id", prepared.nextId()), prepared.nextDiff()));
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
