package com.example.crm.webhooks.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures;
import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.StoredAlert;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two instances of the service on one database, both serving webhooks and both consuming the
 * enrichment queue, under concurrent traffic in which every delivery goes to both at once (as a
 * provider retrying through a load balancer does): the same inbound MessageSid, the same status
 * callbacks, the same alert, the same resolve callback. No message is stored twice, no status event
 * twice, no alert is lost or doubled (each person's chain is whole), and no enrichment job is done
 * twice, while both instances did some of the jobs. Instance A reaches Reverse Contact (WireMock)
 * as 127.0.0.1, instance B as localhost, so each call says which instance made it.
 */
class TwoInstancesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MESSAGES = 30;
    private static final int OUTBOUND = 10;
    private static final int PEOPLE = 4;
    private static final int ALERTS_PER_PERSON = 5;
    private static final int ENTITIES = 24;

    private final ExecutorService callers = Executors.newFixedThreadPool(12);
    private final List<ServiceInstance> instances = new ArrayList<>();

    @AfterEach
    void stop() {
        callers.shutdownNow();
        instances.forEach(ServiceInstance::close);
    }

    @Test
    void twoInstancesOnOneDatabaseStoreEachDeliveryOnceAndDoEachJobOnce() throws Exception {
        Faults.thirdParties().resetAll();
        String jdbcUrl = TestInfrastructure.newDatabase("two_instances");
        String wireMock = "127.0.0.1:" + Faults.thirdParties().port();
        String wireMockByName = "localhost:" + Faults.thirdParties().port();
        // Small batches, so the first instance to poll does not take the whole queue.
        ServiceInstance a = start("instance-a", jdbcUrl, "http://" + wireMock);
        ServiceInstance b = start("instance-b", jdbcUrl, "http://" + wireMockByName);
        JdbcTemplate jdbc = a.jdbc();
        List<String> entities = IntStream.range(0, ENTITIES).mapToObj(n -> "two-" + n).toList();
        for (String id : entities) {
            Faults.stubProfile(Faults.linkedinUrl(id), "Headline of " + id, null, 150);
            jdbc.update("insert into contacts (id) values (?)", id);
        }
        for (int p = 0; p < PEOPLE; p++) {
            jdbc.update("insert into people (id, alert_subscription_id) values (?, ?)", "person-" + p, "sub-" + p);
        }
        for (int m = 0; m < OUTBOUND; m++) {
            jdbc.update("""
                    insert into messages (direction, channel, twilio_sid, from_number, to_number, body, status)
                    values ('outbound', 'sms', ?, '+61298765432', '+61412345678', 'hello', 'queued')""", outboundSid(m));
        }
        List<WebhookClient> both = List.of(a.http(), b.http());

        List<Future<List<Integer>>> deliveries = new ArrayList<>();
        for (int m = 0; m < MESSAGES; m++) {
            String sid = "SMin" + m;
            deliveries.add(toBoth(both, http -> new TwilioRequests(http).post(TwilioRequests.INBOUND,
                    TwilioRequests.inboundMessage(sid, "+61412345678", "+61298765432", "message " + sid)).statusCode()));
        }
        for (int m = 0; m < OUTBOUND; m++) {
            String sid = outboundSid(m);
            for (String status : List.of("sent", "delivered")) {
                deliveries.add(toBoth(both, http -> new TwilioRequests(http).post(TwilioRequests.MESSAGE_STATUS,
                        TwilioRequests.statusCallback(sid, status)).statusCode()));
            }
        }
        for (String id : entities) {
            deliveries.add(toBoth(both, http -> http.postJson(Faults.RESOLVE + "?type=contact&id=" + id,
                    Faults.resolveBody(Faults.linkedinUrl(id))).statusCode()));
        }
        // A person's alerts one after the other (each to both instances at once); the people in parallel.
        List<Future<List<Integer>>> alertChains = new ArrayList<>();
        for (int p = 0; p < PEOPLE; p++) {
            int person = p;
            alertChains.add(callers.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                for (int r = 0; r < ALERTS_PER_PERSON; r++) {
                    String body = alert(person, r);
                    statuses.addAll(toBoth(both, http -> http.postJson("/api/webhooks/reversecontact", body).statusCode())
                            .get(30, TimeUnit.SECONDS));
                }
                return statuses;
            }));
        }
        deliveries.addAll(alertChains);
        for (Future<List<Integer>> delivery : deliveries) {
            assertThat(delivery.get(60, TimeUnit.SECONDS)).allSatisfy(status -> assertThat(status).isIn(200, 204));
        }

        await("every enrichment job finished").atMost(WAIT).until(() -> jdbc.queryForObject(
                "select count(*) from enrichment_jobs where state in ('pending', 'running')", Integer.class) == 0);

        // Messages: one row per MessageSid, one event per MessageSid and status, the final status applied.
        assertThat(jdbc.queryForList("select twilio_sid from messages where direction = 'inbound'", String.class))
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, MESSAGES).mapToObj(m -> "SMin" + m).toList());
        assertThat(jdbc.queryForObject("select count(*) from message_status_events", Integer.class)).isEqualTo(OUTBOUND * 2);
        assertThat(jdbc.queryForList("select distinct status from messages where direction = 'outbound'", String.class))
                .containsExactly("delivered");

        // Alerts: each person's five alerts, each once, in order, each diff against the one before.
        for (int p = 0; p < PEOPLE; p++) {
            assertAlertChain(jdbc, p);
        }

        // Enrichment: no job done twice (one call per job), none failed, both instances took part.
        assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        assertThat(jdbc.queryForList("select distinct state || '/' || attempts from enrichment_jobs", String.class))
                .containsExactly("done/1");
        Map<String, Integer> jobsPerEntity = new HashMap<>();
        jdbc.query("select entity_id, count(*) from enrichment_jobs group by entity_id",
                rs -> { jobsPerEntity.put(rs.getString(1), rs.getInt(2)); });
        assertThat(jobsPerEntity.keySet()).containsExactlyInAnyOrderElementsOf(entities);
        Map<String, Integer> callsPerEntity = new HashMap<>();
        Set<String> callingHosts = new HashSet<>();
        for (LoggedRequest call : Faults.thirdParties().findAll(postRequestedFor(urlEqualTo(Faults.FETCH_PERSONS)))) {
            String url = JSON.readTree(call.getBodyAsString()).path("url").asText();
            callsPerEntity.merge(url.substring(url.lastIndexOf('/') + 1), 1, Integer::sum);
            callingHosts.add(call.getHeader("Host"));
        }
        assertThat(callsPerEntity).isEqualTo(jobsPerEntity);
        assertThat(callingHosts).as("instances that called Reverse Contact").containsExactlyInAnyOrder(wireMock, wireMockByName);
        assertThat(jdbc.queryForList("select distinct headline is not null and enriched_at is not null from contacts", Boolean.class))
                .containsExactly(true);
    }

    private ServiceInstance start(String name, String jdbcUrl, String reverseContactUrl) {
        ServiceInstance instance = ServiceInstance.start(name, jdbcUrl, Map.of(
                "reversecontact.base-url", reverseContactUrl,
                "enrichment.batch-size", 2,
                "enrichment.max-concurrency", 2));
        instances.add(instance);
        return instance;
    }

    /** Posts the same delivery to every instance at once; the statuses. */
    private Future<List<Integer>> toBoth(List<WebhookClient> instances, ThrowingPost post) {
        List<Future<Integer>> sent = new ArrayList<>();
        for (WebhookClient http : instances) {
            sent.add(callers.submit((Callable<Integer>) () -> post.send(http)));
        }
        return callers.submit(() -> {
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : sent) {
                statuses.add(answer.get(30, TimeUnit.SECONDS));
            }
            return statuses;
        });
    }

    @FunctionalInterface
    private interface ThrowingPost {
        int send(WebhookClient http) throws Exception;
    }

    private static void assertAlertChain(JdbcTemplate jdbc, int person) throws Exception {
        ProfileAlertFixtures fixtures = new ProfileAlertFixtures(jdbc);
        List<StoredAlert> alerts = fixtures.alertsOf("person-" + person);
        List<JsonNode> expected = new ArrayList<>();
        for (int r = 0; r < ALERTS_PER_PERSON; r++) {
            expected.add(JSON.readTree(alert(person, r)));
        }
        assertThat(alerts).extracting(StoredAlert::payload).as("alerts of person %d", person)
                .containsExactlyElementsOf(expected);
        assertThat(fixtures.snapshotOf("person-" + person)).isEqualTo(ProfileAlertFixtures.replayChain(alerts));
    }

    private static String outboundSid(int m) {
        return "SMout" + m;
    }

    private static String alert(int person, int round) {
        return "{\"subscriptionId\":\"sub-" + person + "\",\"data\":{\"person\":{\"firstName\":\"Person " + person
                + "\",\"headline\":\"Round " + round + "\",\"skills\":[\"Skill " + round + "\"]}}}";
    }
}
