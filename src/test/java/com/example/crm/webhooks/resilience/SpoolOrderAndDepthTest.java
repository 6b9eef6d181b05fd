package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.StoppableDatabase;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a long database outage leaves in the R2 spool, drained: of two resolve callbacks for one
 * entity the one received last sets its URL and its job, for every entity, whatever order the drain
 * applies them in; and a spool of thousands (R2 lists a page of 1,000 keys per call) is counted in
 * full in health and metrics while it waits, then applied, every delivery once. One service of its
 * own, on a PostgreSQL the test stops and starts; no Reverse Contact key, so jobs stay queued.
 */
class SpoolOrderAndDepthTest {

    private static final String PREFIX = "intake-spool-order/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static StoppableDatabase postgres;
    private static ServiceInstance service;
    private static JdbcTemplate jdbc;

    @BeforeAll
    static void startService() {
        postgres = StoppableDatabase.start("spool-order");
        service = ServiceInstance.start("spool-order", postgres.jdbcUrl(),
                // A pass lists thousands of keys here: once a second, not every 200 ms as in the other tests.
                Map.of("reversecontact.api-key", "", "intake.r2-prefix", PREFIX, "intake.drain-interval", "1s"));
        jdbc = service.jdbc();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void ofTwoResolveCallbacksSpooledInOneOutageTheOneReceivedLastWinsForEveryEntity() {
        jdbc.update("insert into contacts (id) select 'ct-order-' || n from generate_series(0, 29) n");

        postgres.stop();
        for (int n = 0; n < 30; n++) {
            String entity = "ct-order-" + n;
            assertThat(resolve(entity, olderUrl(entity))).isEqualTo(200);
            assertThat(resolve(entity, newerUrl(entity))).isEqualTo(200);
        }
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, PREFIX)).hasSize(60);
        postgres.restart();

        awaitDrained(Duration.ofSeconds(60), () -> count("select count(*) from resolve_callbacks") == 60);
        assertThat(jdbc.queryForList("""
                select c.id from contacts c
                 where c.id like 'ct-order-%' and c.linkedin_url = 'https://www.linkedin.com/in/' || c.id || '-newer'""",
                String.class)).hasSize(30);
        assertThat(jdbc.queryForList("""
                select j.entity_id from enrichment_jobs j
                 where j.entity_id like 'ct-order-%' and j.state = 'pending'
                   and j.linkedin_url = 'https://www.linkedin.com/in/' || j.entity_id || '-newer'""",
                String.class)).hasSize(30);
        assertThat(count("select count(*) from enrichment_jobs where entity_id like 'ct-order-%' and state in ('pending', 'running')"))
                .isEqualTo(30);
        assertThat(count("select count(*) from dead_letters")).isZero();
    }

    @Test
    void threeThousandDeliveriesSpooledInR2AreCountedInFullAndEachAppliedOnce() throws Exception {
        int deliveries = 3000;
        TwilioRequests twilio = new TwilioRequests(service.http());

        postgres.stop();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = IntStream.range(0, deliveries).mapToObj(n -> callers.submit(() ->
                    twilio.post(TwilioRequests.INBOUND, TwilioRequests.inboundMessage(
                            String.format("SMbulk%05d", n), "+61412345678", "+61298765432", "message " + n)).statusCode()))
                    .toList();
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isIn(200, 204);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, PREFIX)).hasSize(deliveries);
        try (var files = Files.list(service.spoolDirectory())) {
            assertThat(files.filter(file -> file.toString().endsWith(".json"))).isEmpty();
        }
        // The drain lists R2 while the database is down too: every page of it.
        await("the whole spool counted").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(spoolDepthInHealth()).isEqualTo(deliveries);
            assertThat(spoolDepthInPrometheus()).isEqualTo(deliveries);
        });

        postgres.restart();

        awaitDrained(Duration.ofSeconds(120),
                () -> count("select count(*) from messages where twilio_sid like 'SMbulk%'") == deliveries);
        assertThat(count("select count(distinct twilio_sid) from messages where twilio_sid like 'SMbulk%'")).isEqualTo(deliveries);
        assertThat(count("select count(*) from intake_ledger where route_id = 'twilio-inbound'")).isEqualTo(deliveries);
        assertThat(count("select count(*) from dead_letters")).isZero();
        await("the depth back at zero").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(spoolDepthInHealth()).isZero();
            assertThat(spoolDepthInPrometheus()).isZero();
        });
    }

    private static int resolve(String entity, String linkedinUrl) {
        return service.http().postJson(Faults.RESOLVE + "?type=contact&id=" + entity, Faults.resolveBody(linkedinUrl)).statusCode();
    }

    private static String olderUrl(String entity) {
        return Faults.linkedinUrl(entity + "-older");
    }

    private static String newerUrl(String entity) {
        return Faults.linkedinUrl(entity + "-newer");
    }

    /** Waits until R2 holds nothing under the spool's prefix and {@code applied} holds. */
    private static void awaitDrained(Duration within, java.util.concurrent.Callable<Boolean> applied) {
        await("the spool drained").atMost(within).pollInterval(Duration.ofMillis(500)).until(() ->
                TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, PREFIX).isEmpty() && applied.call());
    }

    /** A count, or -1 while the pool is still reconnecting after the restart. */
    private static int count(String sql) {
        try {
            return jdbc.queryForObject(sql, Integer.class);
        } catch (RuntimeException notYet) {
            return -1;
        }
    }

    private static int spoolDepthInHealth() throws IOException {
        String health = ManagementClient.operator(service.managementPort()).get("/actuator/health").body();
        return JSON.readTree(health).path("components").path("intake").path("details").path("spoolDepth").asInt(-1);
    }

    private static int spoolDepthInPrometheus() {
        String metrics = ManagementClient.operator(service.managementPort()).get("/actuator/prometheus").body();
        var depth = Pattern.compile("(?m)^intake_spool_depth(?:\\{[^}]*})? (\\S+)$").matcher(metrics);
        assertThat(depth.find()).as("intake_spool_depth in %s", "/actuator/prometheus").isTrue();
        return (int) Double.parseDouble(depth.group(1));
    }
}
