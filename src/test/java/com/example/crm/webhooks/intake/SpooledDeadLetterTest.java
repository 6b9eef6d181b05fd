package com.example.crm.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.operations.DeadLetterReplay;
import com.example.crm.webhooks.support.FaultInjection;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * What can only be judged with the database, found when a spooled delivery is applied: an alert
 * for a subscription no person has, a resolve callback for an entity the CRM does not have. It was
 * answered 200 when it came (the database was not there to say 404), so it becomes a dead letter,
 * listed with the others; replayed once the row exists, it is applied, once. The database is made
 * unavailable to the store step alone (AdviceWith), so the delivery goes through the real spool.
 */
class SpooledDeadLetterTest extends WebhookServiceTest {

    @Autowired
    private DeadLetterReplay deadLetters;

    @LocalServerPort
    private int managementPort;

    private FaultInjection store;

    @AfterEach
    void disarm() {
        if (store != null) {
            store.disarm();
        }
    }

    @Test
    void anAlertForAnUnknownSubscriptionIsADeadLetterAndItsReplayAppliesItOnceThePersonExists() {
        store = FaultInjection.before(camelContext, "store-profile-change-alert", "to-postgres-store-profile-change-alert");
        store.failNext(1, databaseDown());

        var answer = http.postJson("/api/webhooks/reversecontact",
                "{\"subscriptionId\":\"sub-later\",\"data\":{\"person\":{\"headline\":\"Spooled\"}}}");

        assertThat(answer.statusCode()).isEqualTo(200);
        String letterId = awaitOneOpenDeadLetter("reversecontact-alert", "unknown subscriptionId");
        assertThat(ManagementClient.operator(managementPort).get("/actuator/deadletters").body())
                .contains("\"deliveryId\":").contains("\"routeId\":\"reversecontact-alert\"");
        assertThat(deadLetters.replay(letterId)).as("still no such person").isEmpty();

        jdbc.update("insert into people (id, alert_subscription_id) values ('p-later', 'sub-later')");
        assertThat(deadLetters.replay(letterId)).containsExactly(letterId);

        assertThat(jdbc.queryForObject("select profile_snapshot->>'headline' from people", String.class)).isEqualTo("Spooled");
        assertThat(db.count("person_change_alerts")).isEqualTo(1);
        assertThat(deadLetters.replay(letterId)).as("replayed once").isEmpty();
        assertThat(deadLetters.replayAll()).isEmpty();
        assertThat(db.count("person_change_alerts")).isEqualTo(1);
    }

    @Test
    void aResolveCallbackForAnUnknownEntityIsADeadLetterAndItsReplayAppliesIt() {
        store = FaultInjection.before(camelContext, "record-resolve-callback", "to-postgres-save-url-and-queue-enrichment");
        store.failNext(1, databaseDown());

        var answer = http.postJson("/api/webhooks/reversecontact/resolve?type=company&id=co-later",
                "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/company/analytical-engines\"}}");

        assertThat(answer.statusCode()).isEqualTo(200);
        String letterId = awaitOneOpenDeadLetter("reversecontact-resolve", "no company with this id");
        jdbc.update("insert into companies (id) values ('co-later')");
        try (var paused = com.example.crm.webhooks.enrichment.EnrichmentPause.of(camelContext)) {
            assertThat(deadLetters.replayAll()).containsExactly(letterId);
            assertThat(jdbc.queryForMap("select entity_id, linkedin_url from enrichment_jobs")).isEqualTo(Map.of(
                    "entity_id", "co-later", "linkedin_url", "https://www.linkedin.com/company/analytical-engines"));
        }
    }

    private String awaitOneOpenDeadLetter(String route, String error) {
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("dead_letters") == 1
                && TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake/").isEmpty());
        Map<String, Object> letter = jdbc.queryForMap("select id, route_id, delivery_id, error, replayed_at from dead_letters");
        assertThat(letter).containsEntry("route_id", route).containsEntry("error", error).containsEntry("replayed_at", null);
        assertThat(letter.get("delivery_id")).isNotNull();
        return (String) letter.get("id");
    }

    /** What a store step meets when the database is gone: the delivery is spooled. */
    static CannotGetJdbcConnectionException databaseDown() {
        return new CannotGetJdbcConnectionException("no connection", new SQLTransientConnectionException("pool timed out"));
    }
}
