package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.flipkart.zjsonpatch.JsonPatch;
import java.sql.Array;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** People with a monitoring subscription, alerts to post for them, and the alert rows read back in chain order. */
public final class ProfileAlertFixtures {

    static final String PATH = "/api/webhooks/reversecontact";
    static final ObjectMapper JSON = new ObjectMapper();

    /** A stored alert, as the tests compare it. */
    public record StoredAlert(String personId, String subscriptionId, JsonNode payload, JsonNode diff,
            List<String> changedFields, OffsetDateTime receivedAt) {
    }

    private final JdbcTemplate jdbc;

    public ProfileAlertFixtures(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A person the CRM monitors under {@code subscriptionId}; returns the person's id. */
    String person(String subscriptionId) {
        return jdbc.queryForObject("""
                insert into people (first_name, last_name, alert_subscription_id)
                values ('Ada', 'Lovelace', ?) returning id""", String.class, subscriptionId);
    }

    /** The alert body Reverse Contact sends for {@code person} (JSON text, or null for an alert without one). */
    static String alert(String subscriptionId, String person) {
        return person == null
                ? "{\"subscriptionId\": \"" + subscriptionId + "\", \"data\": {}}"
                : "{\"subscriptionId\": \"" + subscriptionId + "\", \"data\": {\"person\": " + person + "}}";
    }

    /** The person's alerts in chain order: as they were received ({@code received_at}, then {@code seq}). */
    public List<StoredAlert> alertsOf(String personId) {
        return jdbc.query("""
                select person_id, subscription_id, payload::text, diff::text, changed_fields, received_at
                from person_change_alerts where person_id = ? order by received_at, seq""",
                (rs, row) -> new StoredAlert(rs.getString(1), rs.getString(2), json(rs.getString(3)),
                        json(rs.getString(4)), strings(rs.getArray(5)), rs.getObject(6, OffsetDateTime.class)),
                personId);
    }

    /** people.profile_snapshot, or null. */
    public JsonNode snapshotOf(String personId) {
        String snapshot = jdbc.queryForObject("select profile_snapshot::text from people where id = ?",
                String.class, personId);
        return snapshot == null ? null : json(snapshot);
    }

    public OffsetDateTime snapshotTimeOf(String personId) {
        return jdbc.queryForObject("select profile_snapshot_at from people where id = ?",
                OffsetDateTime.class, personId);
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /**
     * Applies each stored diff in chain order, starting from the empty object, and checks it gives
     * that alert's data.person: each diff is against the snapshot the alert before it left.
     * Returns the last person, which should be the snapshot.
     */
    public static JsonNode replayChain(List<StoredAlert> alerts) {
        JsonNode previous = JSON.createObjectNode();
        for (StoredAlert alert : alerts) {
            JsonNode person = alert.payload().path("data").path("person");
            assertThat(JsonPatch.apply(alert.diff(), previous)).as("diff of alert %s", alert.payload()).isEqualTo(person);
            previous = person;
        }
        return previous;
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }
}
