package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts whose arrays share nothing cost time in the product of their lengths to diff element by
 * element: two 100,000-element skills lists (about 700 KB, under the size limit) took 42 s of a
 * core while holding the person's row lock, and ten at once took every pooled connection, so every
 * webhook failed for a minute. The diff of such a field is now one whole-value replace, computed
 * before the lock; and alerts are stored a few at a time, so the other webhooks keep their
 * connections meanwhile.
 */
class LargeProfileChangeAlertTest extends WebhookServiceTest {

    private static final int ALERTS = 10;

    private final ExecutorService callers = Executors.newFixedThreadPool(ALERTS);

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    @Test
    void tenHundredThousandElementAlertsAtOnceAreStoredWhileOtherWebhooksAreAnsweredAsUsual() throws Exception {
        new ProfileAlertFixtures(jdbc).person("sub-large");
        List<Future<Integer>> alerts = new ArrayList<>();
        for (int n = 0; n < ALERTS; n++) {
            String body = ProfileAlertFixtures.alert("sub-large", "{\"skills\": " + skills((char) ('a' + n)) + "}");
            assertThat(body.length()).isBetween(600_000, 1_048_576);
            alerts.add(callers.submit(() -> http.postJson(ProfileAlertFixtures.PATH, body).statusCode()));
        }

        // Meanwhile the other webhooks are answered as usual (the client gives each 30 s; today
        // they take milliseconds, before the fix they got 503 for a minute).
        TwilioRequests twilio = new TwilioRequests(http);
        for (int n = 0; n < 20; n++) {
            assertThat(twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SMlarge" + n, "sent"))
                    .statusCode()).isEqualTo(204);
        }
        for (Future<Integer> alert : alerts) {
            assertThat(alert.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        }
        awaitIntakeSpoolDrained();

        assertThat(db.count("message_status_events")).isEqualTo(20);
        List<ProfileAlertFixtures.StoredAlert> stored = new ProfileAlertFixtures(jdbc).alertsOf(
                jdbc.queryForObject("select id from people", String.class));
        assertThat(stored).hasSize(ALERTS);
        // Each a single whole-value operation on skills, not 200,000 element operations.
        assertThat(stored).allSatisfy(alert -> {
            assertThat(alert.diff()).hasSize(1);
            assertThat(alert.diff().get(0).path("path").asText()).isEqualTo("/skills");
            assertThat(alert.diff().get(0).path("wholeValue").asBoolean()).isTrue();
        });
        assertThat(new ProfileAlertFixtures(jdbc).snapshotOf(stored.get(0).personId()))
                .isEqualTo(ProfileAlertFixtures.replayChain(stored));
    }

    /** A JSON array of 100,000 short strings that no other alert's array shares. */
    private static String skills(char prefix) {
        return IntStream.range(0, 100_000).mapToObj(i -> "\"" + prefix + Integer.toString(i, 36) + "\"")
                .collect(Collectors.joining(",", "[", "]"));
    }
}
