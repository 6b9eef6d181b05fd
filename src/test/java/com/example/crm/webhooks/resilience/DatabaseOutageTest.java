package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures;
import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.StoredAlert;
import com.example.crm.webhooks.support.EmbeddedPostgresServer;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * The database stopped under traffic, then started again. Callers post inbound messages, profile
 * change alerts and resolve callbacks without pause, and (as Twilio and Reverse Contact do) send
 * a request again until it gets a 2xx. While the database is down every webhook answers 503 with
 * Retry-After, never another 5xx; no 2xx is given for anything not stored; every write is whole
 * (one transaction per webhook: a message row complete, an alert with its snapshot update, an
 * entity's URL with its job); and the same instance, not restarted, serves again once the database
 * is back. The instance has a PostgreSQL of its own, which the test stops (pg_ctl stop, fast mode:
 * open connections are cut) and starts again on the same data and port.
 */
class DatabaseOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private enum Kind { INBOUND, ALERT, RESOLVE }

    /** One answer a caller got; {@code phase}: when the request was sent (0 before the outage, 1 during it, 2 after). */
    private record Answer(Kind kind, String id, int status, String retryAfter, int phase) {
    }

    private Path dataDirectory;
    private EmbeddedPostgres postgres;
    private ServiceInstance service;
    private final ExecutorService callers = Executors.newFixedThreadPool(4);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    /** 0 before the outage, 1 during it, 2 after the database is back. */
    private volatile int phase;

    @AfterEach
    void stopEverything() throws IOException {
        stop.set(true);
        callers.shutdownNow();
        if (service != null) {
            service.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (dataDirectory != null) {
            FileSystemUtils.deleteRecursively(dataDirectory);
        }
    }

    @Test
    void webhooksAnswer503WhileTheDatabaseIsDownWriteNothingHalfAndRecoverWithoutARestart() throws Exception {
        dataDirectory = Files.createTempDirectory("database-outage-pg");
        // Not "clean": zonky deletes a clean data directory when it stops, and the restart needs it.
        postgres = EmbeddedPostgresServer.start(dataDirectory, false, 0);
        int port = postgres.getPort();
        // No Reverse Contact key: the queued jobs stay pending, the enrichment poller stays idle.
        service = ServiceInstance.start("database-outage", postgres.getJdbcUrl("postgres", "postgres"),
                Map.of("reversecontact.api-key", ""));
        JdbcTemplate jdbc = service.jdbc();
        jdbc.update("insert into people (id, alert_subscription_id) values ('p-outage', 'sub-outage')");
        jdbc.update("insert into contacts (id) select 'ct-' || n from generate_series(0, 999) n");
        WebhookClient http = service.http();
        TwilioRequests twilio = new TwilioRequests(http);

        List<Future<?>> running = new ArrayList<>();
        running.add(callers.submit(() -> call(Kind.INBOUND, n -> "SMa" + n,
                id -> twilio.post(TwilioRequests.INBOUND, inbound(id)))));
        running.add(callers.submit(() -> call(Kind.INBOUND, n -> "SMb" + n,
                id -> twilio.post(TwilioRequests.INBOUND, inbound(id)))));
        running.add(callers.submit(() -> call(Kind.ALERT, n -> String.valueOf(n),
                id -> http.postJson("/api/webhooks/reversecontact", alert(Integer.parseInt(id))))));
        running.add(callers.submit(() -> call(Kind.RESOLVE, n -> "ct-" + n,
                id -> http.postJson(Faults.RESOLVE + "?type=contact&id=" + id, Faults.resolveBody(Faults.linkedinUrl(id))))));

        await("traffic flows").atMost(WAIT).until(() -> everyKindGot(200, 0, 3));

        phase = 1;
        postgres.close();
        await("every webhook answers 503").atMost(WAIT).until(() -> everyKindGot(503, 1, 2));
        assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
        assertThat(http.get("/livez").statusCode()).isEqualTo(200);

        postgres = EmbeddedPostgresServer.start(dataDirectory, false, port);
        phase = 2;
        await("the same instance serves again").atMost(WAIT).until(() -> everyKindGot(200, 2, 3));
        await().atMost(WAIT).until(() -> http.get("/readyz").statusCode() == 200);
        stop.set(true);
        for (Future<?> caller : running) {
            caller.get(30, TimeUnit.SECONDS);
        }

        assertThat(answers).extracting(Answer::status).containsOnly(200, 503);
        assertThat(answers).filteredOn(a -> a.status() == 503)
                .allSatisfy(a -> assertThat(a.retryAfter()).as("Retry-After of %s", a).isEqualTo("30"));
        // Every 2xx was stored, once and whole, and nothing else was.
        assertMessagesStoredWhole(jdbc, succeeded(Kind.INBOUND));
        assertAlertChainWhole(jdbc, succeeded(Kind.ALERT));
        assertResolvesStoredWhole(jdbc, succeeded(Kind.RESOLVE));
    }

    /**
     * A caller: sends item 0, 1, 2, ... and sends an item again until it gets a 2xx (a 503 asks for
     * that). Stops only after a 2xx, so every item it sent was accepted in the end.
     */
    private void call(Kind kind, IntFunction<String> ids, Function<String, HttpResponse<String>> send) {
        int n = 0;
        while (true) {
            String id = ids.apply(n);
            int sentIn = phase;
            HttpResponse<String> response = send.apply(id);
            answers.add(new Answer(kind, id, response.statusCode(),
                    response.headers().firstValue("Retry-After").orElse(null), sentIn));
            if (response.statusCode() != 503) {
                if (stop.get()) {
                    return;
                }
                n++;
            }
        }
    }

    private boolean everyKindGot(int status, int inPhase, int atLeast) {
        for (Kind kind : Kind.values()) {
            long count = answers.stream().filter(a -> a.kind() == kind && a.status() == status && a.phase() == inPhase).count();
            if (count < atLeast) {
                return false;
            }
        }
        return true;
    }

    private List<String> succeeded(Kind kind) {
        return answers.stream().filter(a -> a.kind() == kind && a.status() == 200).map(Answer::id).toList();
    }

    private static void assertMessagesStoredWhole(JdbcTemplate jdbc, List<String> accepted) {
        assertThat(accepted).doesNotHaveDuplicates();
        List<Map<String, Object>> rows = jdbc.queryForList("""
                select twilio_sid, direction, channel, from_number, to_number, body, num_media, media::text as media, status
                  from messages""");
        assertThat(rows).extracting(row -> row.get("twilio_sid")).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(rows).allSatisfy(row -> assertThat(row)
                .containsEntry("direction", "inbound").containsEntry("channel", "sms")
                .containsEntry("from_number", "+61412345678").containsEntry("to_number", "+61298765432")
                .containsEntry("body", "message " + row.get("twilio_sid"))
                .containsEntry("num_media", 0).containsEntry("media", "[]").containsEntry("status", "received"));
    }

    /** Alerts 0, 1, 2, ... each stored once, in order, each diff against the one before, the snapshot the last one's. */
    private static void assertAlertChainWhole(JdbcTemplate jdbc, List<String> accepted) throws IOException {
        ProfileAlertFixtures fixtures = new ProfileAlertFixtures(jdbc);
        List<StoredAlert> alerts = fixtures.alertsOf("p-outage");
        List<JsonNode> expected = new ArrayList<>();
        for (String version : accepted) {
            expected.add(JSON.readTree(alert(Integer.parseInt(version))));
        }
        assertThat(alerts).extracting(StoredAlert::payload).containsExactlyElementsOf(expected);
        assertThat(fixtures.snapshotOf("p-outage")).isEqualTo(ProfileAlertFixtures.replayChain(alerts));
        assertThat(fixtures.snapshotTimeOf("p-outage")).isEqualTo(alerts.get(alerts.size() - 1).receivedAt());
    }

    /** Each accepted entity has its URL and exactly one queued job for it; no other entity has either. */
    private static void assertResolvesStoredWhole(JdbcTemplate jdbc, List<String> accepted) {
        assertThat(accepted).doesNotHaveDuplicates();
        Set<String> withUrl = new HashSet<>(jdbc.queryForList(
                "select id from contacts where linkedin_url is not null", String.class));
        assertThat(withUrl).containsExactlyInAnyOrderElementsOf(accepted);
        List<Map<String, Object>> jobs = jdbc.queryForList("""
                select j.entity_id, j.state, j.linkedin_url = c.linkedin_url as same_url
                  from enrichment_jobs j left join contacts c on c.id = j.entity_id""");
        assertThat(jobs).extracting(job -> job.get("entity_id")).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(jobs).allSatisfy(job -> assertThat(job).containsEntry("state", "pending").containsEntry("same_url", true));
        assertThat(jobs.stream().map(job -> job.get("entity_id")).collect(Collectors.toSet())).hasSize(jobs.size());
    }

    private static Map<String, String> inbound(String sid) {
        return TwilioRequests.inboundMessage(sid, "+61412345678", "+61298765432", "message " + sid);
    }

    /** Version {@code n} of the person's profile: each alert changes the headline and the list of skills. */
    private static String alert(int n) {
        return "{\"subscriptionId\":\"sub-outage\",\"data\":{\"person\":{\"firstName\":\"Ada\",\"headline\":\"Version "
                + n + "\",\"skills\":[\"Skill " + (n % 3) + "\",\"Skill " + n + "\"]}}}";
    }
}
