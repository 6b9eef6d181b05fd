package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.example.crm.webhooks.edge.WebhookMetricsTest;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestDatabase;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A 401, 402 or 403 from Reverse Contact (key revoked, credits exhausted) concerns every job alike:
 * the instance pauses its enrichment instead of dead-lettering the queue one job after the other.
 * The job that got it goes back to the queue without spending an attempt; the pause shows in
 * health (without touching readiness) and in the {@code enrichment_paused} gauge, and is logged
 * once; a probe (one job, every ENRICHMENT_PAUSE_PROBE_INTERVAL) resumes it as soon as Reverse
 * Contact answers again, and a restart (with a new key) resumes it at once. Instances of their own,
 * on databases of their own: the pause is per instance, and these change the probe interval.
 */
class EnrichmentPauseOnRefusalTest {

    private static final String PAUSE_LOG = "com.example.crm.webhooks.reversecontact.ReverseContactAccess";
    private static final String PROFILE = "{\"success\":true,\"data\":{\"headline\":\"Mathematician\"}}";
    private static final int JOBS = 6;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ServiceInstance service;
    private static JdbcTemplate jdbc;

    private final WireMockServer thirdParties = TestInfrastructure.thirdParties();
    private final ListAppender<ILoggingEvent> pauseLog = new ListAppender<>();
    private final Logger pauseLogger = (Logger) LoggerFactory.getLogger(PAUSE_LOG);

    @BeforeAll
    static void startService() {
        service = ServiceInstance.start("enrichment-pause", TestInfrastructure.newDatabase("enrichment_pause"),
                Map.of("enrichment.pause-probe-interval", "1s"));
        jdbc = service.jdbc();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @BeforeEach
    void emptyTablesAndCaptureThePauseLog() {
        new TestDatabase(jdbc).truncateAll();
        thirdParties.resetAll();
        pauseLog.start();
        pauseLogger.addAppender(pauseLog);
    }

    @AfterEach
    void stopCapturing() {
        pauseLogger.detachAppender(pauseLog);
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 402, 403})
    void aRefusedKeyOrCreditsPausesTheQueueUntilAProbeSucceeds(int status) throws Exception {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"success\":false,\"error\":{\"message\":\"Refused for this test\",\"code\":\"refused_" + status + "\"}}")));
        queueJobs(jdbc);

        // More calls than jobs: a queue burnt through would have stopped at one call per job.
        await().atMost(WAIT).until(() -> fetches() > JOBS);
        assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("""
                select count(*) from enrichment_jobs
                 where not (state = 'pending' and attempts = 0 or state = 'running' and attempts = 1)""", Integer.class))
                .as("jobs other than waiting ones with no attempt spent, or the probe running").isZero();
        assertThat(jdbc.queryForList("select last_error from enrichment_jobs where state = 'pending' and last_error is not null",
                String.class)).isNotEmpty()
                .allSatisfy(error -> assertThat(error).startsWith("HTTP " + status + " from ").contains("Refused for this test"));
        assertThat(pausedGauge()).isEqualTo(1);
        JsonNode enrichmentHealth = managementHealth().path("components").path("enrichment");
        assertThat(enrichmentHealth.path("status").asText()).isEqualTo("PAUSED");
        assertThat(enrichmentHealth.path("details").path("reason").asText())
                .contains("HTTP " + status).contains("Refused for this test (refused_" + status + ")");
        assertThat(service.http().get("/readyz").statusCode()).as("/readyz").isEqualTo(200);
        HttpResponse<String> health = service.http().get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("UP");
        assertThat(logged(Level.WARN)).as("WARN lines about the pause").hasSize(1);

        thirdParties.resetAll();
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson(PROFILE)));

        await().atMost(WAIT).until(() -> jdbc.queryForObject(
                "select count(*) from enrichment_jobs where state = 'done'", Integer.class) == JOBS);
        assertThat(jdbc.queryForList("select distinct attempts from enrichment_jobs", Integer.class))
                .as("no attempt spent on a refusal").containsExactly(1);
        assertThat(jdbc.queryForObject("select count(*) from people where headline = 'Mathematician'", Integer.class)).isEqualTo(JOBS);
        assertThat(pausedGauge()).isZero();
        assertThat(managementHealth().path("components").path("enrichment").path("status").asText()).isEqualTo("UP");
        assertThat(logged(Level.WARN)).hasSize(1);
        assertThat(logged(Level.INFO)).as("INFO lines about the resumption").hasSize(1);
    }

    @Test
    void aRestartWithANewKeyResumesAtOnce() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).withHeader("Authorization", equalTo("Bearer revoked-key"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"success\":false,\"error\":{\"message\":\"Invalid API key\",\"code\":\"unauthorized\"}}")));
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).withHeader("Authorization", equalTo("Bearer renewed-key"))
                .willReturn(okJson(PROFILE)));
        String database = TestInfrastructure.newDatabase("enrichment_pause_restart");
        // No probe during this test: only the restart can resume.
        Map<String, Object> hourlyProbe = Map.of("enrichment.pause-probe-interval", "1h");

        try (ServiceInstance revoked = ServiceInstance.start("enrichment-revoked-key", database,
                with(hourlyProbe, "reversecontact.api-key", "revoked-key"))) {
            queueJobs(revoked.jdbc());
            await().atMost(WAIT).until(() -> fetches() >= 1 && revoked.jdbc().queryForObject("""
                    select count(*) from enrichment_jobs where state = 'pending' and attempts = 0""", Integer.class) == JOBS);
            assertThat(revoked.jdbc().queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        }
        try (ServiceInstance renewed = ServiceInstance.start("enrichment-renewed-key", database,
                with(hourlyProbe, "reversecontact.api-key", "renewed-key"))) {
            await().atMost(WAIT).until(() -> renewed.jdbc().queryForObject(
                    "select count(*) from enrichment_jobs where state = 'done'", Integer.class) == JOBS);
        }
    }

    private static void queueJobs(JdbcTemplate jdbc) {
        jdbc.update("""
                insert into people (id, linkedin_url)
                select 'p-' || n, 'https://www.linkedin.com/in/p-' || n from generate_series(1, ?) n""", JOBS);
        jdbc.update("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url)
                select 'person', id, linkedin_url from people""");
    }

    private static Map<String, Object> with(Map<String, Object> settings, String key, Object value) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put(key, value);
        return all;
    }

    private int fetches() {
        return thirdParties.findAll(postRequestedFor(urlEqualTo("/v2/fetch/persons"))).size();
    }

    private List<String> logged(Level level) {
        return pauseLog.list.stream().filter(event -> event.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static double pausedGauge() {
        HttpResponse<String> metrics = ManagementClient.operator(managementPort()).get("/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        return WebhookMetricsTest.value(metrics.body(), "enrichment_paused", "");
    }

    private static JsonNode managementHealth() throws Exception {
        HttpResponse<String> health = ManagementClient.operator(managementPort()).get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        return JSON.readTree(health.body());
    }

    private static int managementPort() {
        return service.bean(Environment.class).getRequiredProperty("local.server.port", Integer.class);
    }
}
