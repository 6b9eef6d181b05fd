package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures;
import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.StoredAlert;
import com.example.crm.webhooks.support.StoppableDatabase;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * PostgreSQL stopped for a minute under traffic from callers that never retry (Twilio gives up
 * after 15 s for all its attempts; Reverse Contact promises no retry at all): every delivery gets
 * its normal 2xx, none a 503. What the database could not take waits in the intake spool, and
 * within 30 s of the database's return every delivery is applied exactly once in effect, each row
 * carrying the time it was received, each person's alerts chained in receive order with their
 * diffs. Two instances share the database and the spool (in R2, on s3proxy), both take traffic and
 * both drain. Readiness stays UP while the spool can take deliveries; a forged signature and a
 * malformed body are refused during the outage as at any other time.
 */
class DatabaseOutageTest {

    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(30);
    /** Each caller sends a delivery this often: enough to fill the spool, not more than it drains in time. */
    private static final long EVERY_MILLIS = 500;
    private static final List<String> PEOPLE = List.of("p-ada", "p-grace", "p-mary");

    private enum Kind { INBOUND, STATUS, ALERT, RESOLVE }

    /** One delivery and its answer: sent between {@code sentAt} and {@code answeredAt}. */
    private record Delivery(Kind kind, String id, int status, Instant sentAt, Instant answeredAt) {
    }

    private StoppableDatabase postgres;
    private final List<ServiceInstance> instances = new ArrayList<>();
    private final ScheduledExecutorService callers = Executors.newScheduledThreadPool(6);
    private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopEverything() throws IOException {
        callers.shutdownNow();
        instances.forEach(ServiceInstance::close);
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyDeliveryIsAnsweredDuringAnOutageAndAppliedOnceWhenTheDatabaseReturns() throws Exception {
        postgres = StoppableDatabase.start("database-outage");
        String jdbcUrl = postgres.jdbcUrl();
        // One spool for both instances, as in production; no Reverse Contact key, so jobs stay queued.
        Map<String, Object> shared = Map.of("reversecontact.api-key", "", "intake.r2-prefix", "intake-outage/");
        ServiceInstance first = start("outage-a", jdbcUrl, shared);
        ServiceInstance second = start("outage-b", jdbcUrl, shared);
        JdbcTemplate jdbc = first.jdbc();
        PEOPLE.forEach(person -> jdbc.update("insert into people (id, alert_subscription_id) values (?, ?)", person, "sub-" + person));
        jdbc.update("insert into contacts (id) select 'ct-' || n from generate_series(0, 999) n");
        jdbc.update("""
                insert into messages (direction, channel, twilio_sid, status)
                select 'outbound', 'sms', 'SMout' || n, 'queued' from generate_series(0, 999) n""");

        TwilioRequests twilioA = new TwilioRequests(first.http());
        TwilioRequests twilioB = new TwilioRequests(second.http());
        call(Kind.INBOUND, n -> "SMin" + n, (id, n) -> twilioA.post(TwilioRequests.INBOUND, inbound(id)));
        call(Kind.STATUS, n -> "SMout" + (n / 2) + ":" + (n % 2 == 0 ? "sent" : "delivered"),
                (id, n) -> twilioB.post(TwilioRequests.MESSAGE_STATUS, statusCallback(id)));
        for (int p = 0; p < PEOPLE.size(); p++) {
            String person = PEOPLE.get(p);
            // One person's alerts in turn through both instances: receive order across instances.
            call(Kind.ALERT, n -> person + ":" + n, (id, n) -> (n % 2 == 0 ? first : second).http()
                    .postJson("/api/webhooks/reversecontact", alert(person, n)));
        }
        call(Kind.RESOLVE, n -> "ct-" + n, (id, n) -> (n % 2 == 0 ? first : second).http()
                .postJson(Faults.RESOLVE + "?type=contact&id=" + id, Faults.resolveBody(Faults.linkedinUrl(id))));
        await("traffic flows").atMost(Duration.ofSeconds(30)).until(() -> deliveries.size() >= 20);

        postgres.stop();
        Instant down = Instant.now();
        await("deliveries are spooled").atMost(Duration.ofSeconds(30)).until(() -> spooled(first) > 20);
        for (ServiceInstance instance : instances) {
            assertThat(instance.http().get("/readyz").statusCode()).as("readiness while spooling").isEqualTo(200);
            assertThat(ManagementClient.operator(instance.managementPort()).get("/actuator/health").body())
                    .contains("\"intake\":{\"status\":\"UP\",\"details\":{\"state\":\"spooling\"");
        }
        assertRefusedAsAlways(first.http(), twilioA);
        await("the outage lasts").atMost(OUTAGE.plusSeconds(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Duration.between(down, Instant.now()).compareTo(OUTAGE) >= 0);

        postgres.restart();
        Instant back = Instant.now();
        await("a little traffic after the return").atMost(Duration.ofSeconds(30))
                .until(() -> deliveries.stream().filter(d -> d.sentAt().isAfter(back)).count() >= 20);
        callers.shutdown();
        assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        await("every delivery applied").atMost(APPLIED_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(spooled(first)).as("still spooled").isZero();
            assertThat(appliedCount(jdbc)).as("rows stored for the deliveries").isEqualTo(deliveries.size());
        });
        assertThat(Duration.between(back, Instant.now())).isLessThan(APPLIED_WITHIN);

        assertThat(deliveries).as("every delivery answered as stored").allSatisfy(d ->
                assertThat(d.status()).as("%s", d).isIn(200, 204));
        assertMessagesOnceAtTheirReceiveTime(jdbc);
        assertStatusEventsOnceAtTheirReceiveTime(jdbc);
        assertAlertChainsInReceiveOrder(jdbc);
        assertResolvesOnceAtTheirReceiveTime(jdbc);
        assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
    }

    private ServiceInstance start(String name, String jdbcUrl, Map<String, Object> overrides) {
        ServiceInstance instance = ServiceInstance.start(name, jdbcUrl, overrides);
        instances.add(instance);
        return instance;
    }

    /** Sends delivery 0, 1, 2, ... of a kind every {@link #EVERY_MILLIS}, once each: no retry. */
    private void call(Kind kind, IntFunction<String> ids, Send send) {
        AtomicInteger next = new AtomicInteger();
        callers.scheduleAtFixedRate(() -> {
            int n = next.getAndIncrement();
            String id = ids.apply(n);
            Instant sentAt = Instant.now();
            HttpResponse<String> response = send.send(id, n);
            deliveries.add(new Delivery(kind, id, response.statusCode(), sentAt, Instant.now()));
        }, 0, EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    @FunctionalInterface
    private interface Send {
        HttpResponse<String> send(String id, int n);
    }

    /** Refused during the outage as always, and not spooled: nothing of them is ever stored. */
    private void assertRefusedAsAlways(WebhookClient http, TwilioRequests twilio) {
        int before = spooled(instances.get(0));
        assertThat(twilio.postWithSignature(TwilioRequests.INBOUND, inbound("SMforged"), "forged").statusCode()).isEqualTo(403);
        assertThat(http.postJson("/api/webhooks/reversecontact", "{\"subscriptionId\": ").statusCode()).isEqualTo(400);
        assertThat(http.postJson(Faults.RESOLVE + "?type=planet&id=ct-1", Faults.resolveBody(Faults.linkedinUrl("x"))).statusCode())
                .isEqualTo(400);
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake-outage/"))
                .noneMatch(key -> key.contains("SMforged"));
        assertThat(spooled(instances.get(0))).isGreaterThanOrEqualTo(before);
    }

    /** Deliveries waiting in the shared R2 spool and in both spool directories. */
    private int spooled(ServiceInstance any) {
        int inDirectories = 0;
        for (ServiceInstance instance : instances) {
            try (var files = Files.list(instance.spoolDirectory())) {
                inDirectories += (int) files.filter(file -> file.toString().endsWith(".json")).count();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake-outage/").size() + inDirectories;
    }

    private static int appliedCount(JdbcTemplate jdbc) {
        try {
            return jdbc.queryForObject("""
                    select (select count(*) from messages where direction = 'inbound')
                         + (select count(*) from message_status_events)
                         + (select count(*) from person_change_alerts)
                         + (select count(*) from enrichment_jobs)""", Integer.class);
        } catch (RuntimeException notYet) {
            return -1; // the pool is still reconnecting
        }
    }

    private List<Delivery> sent(Kind kind) {
        return deliveries.stream().filter(d -> d.kind() == kind).toList();
    }

    private void assertMessagesOnceAtTheirReceiveTime(JdbcTemplate jdbc) {
        Map<String, OffsetDateTime> stored = times(jdbc, "select twilio_sid, created_at from messages where direction = 'inbound'");
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(sent(Kind.INBOUND).stream().map(Delivery::id).toList());
        sent(Kind.INBOUND).forEach(d -> assertReceivedWhileSent(d, stored.get(d.id())));
    }

    private void assertStatusEventsOnceAtTheirReceiveTime(JdbcTemplate jdbc) {
        Map<String, OffsetDateTime> stored = times(jdbc, "select twilio_sid || ':' || status, received_at from message_status_events");
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(sent(Kind.STATUS).stream().map(Delivery::id).toList());
        sent(Kind.STATUS).forEach(d -> assertReceivedWhileSent(d, stored.get(d.id())));
        // Each message moved on to the furthest status it got, whatever order the callbacks were applied in.
        assertThat(jdbc.queryForList("""
                select m.twilio_sid from messages m
                 where m.direction = 'outbound' and exists (select 1 from message_status_events e where e.twilio_sid = m.twilio_sid)
                   and m.status <> (select e.status from message_status_events e where e.twilio_sid = m.twilio_sid
                                     order by twilio_message_status_rank(e.status) desc limit 1)""", String.class)).isEmpty();
    }

    private void assertAlertChainsInReceiveOrder(JdbcTemplate jdbc) {
        ProfileAlertFixtures fixtures = new ProfileAlertFixtures(jdbc);
        for (String person : PEOPLE) {
            List<Delivery> sent = sent(Kind.ALERT).stream().filter(d -> d.id().startsWith(person + ":")).toList();
            List<StoredAlert> alerts = fixtures.alertsOf(person);
            assertThat(alerts).extracting(alert -> alert.payload().path("data").path("person").path("headline").asText())
                    .as("%s's alerts, in receive order", person)
                    .containsExactlyElementsOf(sent.stream().map(d -> "Version " + d.id().substring(person.length() + 1)).toList());
            for (int i = 0; i < sent.size(); i++) {
                assertReceivedWhileSent(sent.get(i), alerts.get(i).receivedAt());
            }
            JsonNode last = ProfileAlertFixtures.replayChain(alerts);
            assertThat(fixtures.snapshotOf(person)).isEqualTo(last);
            assertThat(fixtures.snapshotTimeOf(person)).isEqualTo(alerts.get(alerts.size() - 1).receivedAt());
        }
    }

    private void assertResolvesOnceAtTheirReceiveTime(JdbcTemplate jdbc) {
        Map<String, OffsetDateTime> jobs = times(jdbc, "select entity_id, created_at from enrichment_jobs");
        assertThat(jobs.keySet()).containsExactlyInAnyOrderElementsOf(sent(Kind.RESOLVE).stream().map(Delivery::id).toList());
        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs", Integer.class)).isEqualTo(jobs.size());
        sent(Kind.RESOLVE).forEach(d -> assertReceivedWhileSent(d, jobs.get(d.id())));
        assertThat(jdbc.queryForObject("""
                select count(*) from enrichment_jobs j join contacts c on c.id = j.entity_id and c.linkedin_url = j.linkedin_url""",
                Integer.class)).isEqualTo(jobs.size());
    }

    private static Map<String, OffsetDateTime> times(JdbcTemplate jdbc, String sql) {
        Map<String, OffsetDateTime> times = new java.util.HashMap<>();
        jdbc.query(sql, row -> {
            assertThat(times.put(row.getString(1), row.getObject(2, OffsetDateTime.class))).as("stored once: %s", row.getString(1)).isNull();
        });
        return times;
    }

    private static void assertReceivedWhileSent(Delivery delivery, OffsetDateTime receivedAt) {
        assertThat(receivedAt).as("receive time of %s", delivery).isNotNull();
        // PostgreSQL keeps microseconds.
        assertThat(receivedAt.toInstant()).as("receive time of %s", delivery)
                .isBetween(delivery.sentAt().minusNanos(1_000), delivery.answeredAt());
    }

    private static Map<String, String> inbound(String sid) {
        return TwilioRequests.inboundMessage(sid, "+61412345678", "+61298765432", "message " + sid);
    }

    private static Map<String, String> statusCallback(String id) {
        String[] sidAndStatus = id.split(":");
        return TwilioRequests.statusCallback(sidAndStatus[0], sidAndStatus[1]);
    }

    /** Version {@code n} of a person's profile: each alert changes the headline and the list of skills. */
    private static String alert(String person, int n) {
        return "{\"subscriptionId\":\"sub-" + person + "\",\"data\":{\"person\":{\"firstName\":\"Ada\",\"headline\":\"Version "
                + n + "\",\"skills\":[\"Skill " + (n % 3) + "\",\"Skill " + n + "\"]}}}";
    }
}
