package com.example.crm.webhooks.reversecontact;

import static com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.PATH;
import static com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.alert;
import static com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.StoredAlert;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts for one person arriving at once still form one chain: replaying the stored diffs in order
 * from the empty object reproduces every alert's person, and the snapshot is the last one's.
 */
class ConcurrentProfileChangeAlertTest extends WebhookServiceTest {

    private static final int ALERTS = 12;

    private final ExecutorService callers = Executors.newFixedThreadPool(ALERTS);
    private ProfileAlertFixtures fixtures;

    @BeforeEach
    void setUpFixtures() {
        fixtures = new ProfileAlertFixtures(jdbc);
    }

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    @Test
    void parallelAlertsForOnePersonLeaveAConsistentChain() throws Exception {
        String ada = fixtures.person("sub-ada");
        List<String> bodies = IntStream.range(0, ALERTS).mapToObj(i -> alert("sub-ada", person(i))).toList();

        assertThat(postAllAtOnce(bodies)).containsOnly(200);
        awaitIntakeSpoolDrained(); // an alert that waited too long for its turn was spooled, then applied

        List<StoredAlert> alerts = fixtures.alertsOf(ada);
        assertThat(alerts).hasSize(ALERTS);
        assertThat(alerts).extracting(StoredAlert::payload)
                .containsExactlyInAnyOrderElementsOf(bodies.stream().map(ProfileAlertFixtures::json).toList());
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(ProfileAlertFixtures.replayChain(alerts));
        assertThat(fixtures.snapshotTimeOf(ada)).isEqualTo(alerts.get(ALERTS - 1).receivedAt());
        assertThat(alerts).extracting(StoredAlert::receivedAt).isSorted();
        // Racing for the lock, each took its place in the chain by the time it was received.
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(alerts.get(ALERTS - 1).payload().path("data").path("person"));
    }

    @Test
    void parallelRedeliveriesOfOneAlertStoreItOnce() throws Exception {
        String ada = fixtures.person("sub-ada");
        String body = alert("sub-ada", person(3));

        assertThat(postAllAtOnce(java.util.Collections.nCopies(ALERTS, body))).containsOnly(200);
        awaitIntakeSpoolDrained();

        assertThat(fixtures.alertsOf(ada)).singleElement()
                .satisfies(alert -> assertThat(alert.payload()).isEqualTo(json(body)));
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(json(person(3)));
    }

    /** Posts every body from its own thread, all released together; returns the status codes. */
    private List<Integer> postAllAtOnce(List<String> bodies) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        for (String body : bodies) {
            answers.add(callers.submit(() -> {
                start.await();
                return http.postJson(PATH, body).statusCode();
            }));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> answer : answers) {
            statuses.add(answer.get());
        }
        return statuses;
    }

    /** Distinct profiles that differ in a scalar, a nested object, and which positions they list. */
    private static String person(int version) {
        List<String> experience = new ArrayList<>();
        for (int position = 0; position < 5; position++) {
            if (new HashSet<>(List.of(version % 5, (version * 3 + 1) % 5)).contains(position)) {
                experience.add("{\"title\": \"Role " + position + "\", \"companyName\": \"Company " + position + "\"}");
            }
        }
        return """
                {"firstName": "Ada", "headline": "Version %d", "location": {"city": "City %d", "country": "UK"},
                 "experience": [%s]%s}""".formatted(version, version % 3, String.join(", ", experience),
                version % 2 == 0 ? ", \"skills\": [\"Skill " + version + "\"]" : "");
    }
}
