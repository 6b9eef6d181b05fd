package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.FaultInjection;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * A fifth webhook, added to the running service from the route template with nothing but its own
 * route file, reader and table (src/test/resources/fifth-webhook, {@link TestFeedbackReader}), gets
 * all that every webhook gets: its answer, the intake spool and the drain with the ledger while the
 * database cannot take it, its metrics series, readiness, the JSON errors, and the public port's
 * limits. Loaded after start-up, it also shows the webhooks are found live (WebhookCatalog).
 */
class FifthWebhookTest extends WebhookServiceTest {

    private static final String WEBHOOK = "test-feedback";
    private static final String STORE = "store-test-feedback";
    private static final String PATH = "/api/webhooks/test/feedback";
    private static final String SIGNED = PATH + "?key=" + TestFeedbackReader.KEY;

    @Autowired
    private WebhookCatalog webhooks;

    @LocalServerPort
    private int managementPort;

    private FaultInjection store;
    /** What removing the webhook after the last test needs; set once it was added. */
    private static Runnable removal;

    /** Once, before the first test: the shared service (and its Camel context) runs by then. */
    @BeforeEach
    void addTheWebhookToTheRunningService() throws Exception {
        if (removal != null) {
            return;
        }
        var camel = camelContext;
        var catalog = webhooks;
        var database = jdbc;
        removal = () -> {
            try {
                catalog.remove(WEBHOOK);
                camel.getRouteController().stopRoute(STORE);
                camel.removeRoute(STORE);
            } catch (Exception e) {
                throw new IllegalStateException("could not remove the test's webhook", e);
            }
            camel.getRegistry().unbind("testFeedbackReader");
            database.execute("drop table if exists test_feedback");
        };
        jdbc.execute("create table if not exists test_feedback (id text primary key, rating int not null,"
                + " received_at timestamptz not null)");
        camelContext.getRegistry().bind("testFeedbackReader", new TestFeedbackReader(new ObjectMapper()));
        PluginHelper.getRoutesLoader(camelContext).loadRoutes(
                PluginHelper.getResourceLoader(camelContext).resolveResource("classpath:fifth-webhook/test-feedback.camel.yaml"));
        assertThat(webhooks.ids()).contains(WEBHOOK);
        assertThat(webhooks.problems()).isEmpty();
    }

    /** The shared service goes on without it: no route, no readiness, no table left behind. */
    @AfterAll
    static void removeIt() {
        if (removal != null) {
            removal.run();
            removal = null;
        }
    }

    @AfterEach
    void disarm() {
        if (store != null) {
            store.disarm();
        }
    }

    @Test
    void itIsStoredOnceAnsweredAsDeclaredAndCountedInItsOwnSeries() {
        assertThat(scrape()).contains("webhooks_accepted_total{endpoint=\"" + WEBHOOK + "\"}");
        double accepted = metric("webhooks_accepted_total", "endpoint=\"" + WEBHOOK + "\"");

        HttpResponse<String> answer = http.postJson(SIGNED, "{\"id\":\"fb-1\",\"rating\":4}");
        HttpResponse<String> repeat = http.postJson(SIGNED, "{\"id\":\"fb-1\",\"rating\":4}");

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(answer.body()).isEqualTo("{\"ok\":true}");
        assertThat(repeat.statusCode()).isEqualTo(202);
        assertThat(jdbc.queryForMap("select id, rating from test_feedback")).isEqualTo(Map.of("id", "fb-1", "rating", 4));
        assertThat(metric("webhooks_accepted_total", "endpoint=\"" + WEBHOOK + "\"")).isEqualTo(accepted + 1);
        assertThat(metric("webhooks_rejected_total", "endpoint=\"" + WEBHOOK + "\",reason=\"duplicate\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void whileTheDatabaseCannotTakeItItIsSpooledAnsweredAndAppliedOnceWithItsLedgerRow() {
        double spooled = metric("intake_spooled_total", "endpoint=\"" + WEBHOOK + "\",spool=\"r2\"");
        double drained = metric("intake_drained_total", "endpoint=\"" + WEBHOOK + "\"");
        store = FaultInjection.before(camelContext, STORE, "to-postgres-insert-test-feedback");
        store.failNext(1, new CannotGetJdbcConnectionException("no connection", new SQLTransientConnectionException("pool timed out")));

        HttpResponse<String> answer = http.postJson(SIGNED, "{\"id\":\"fb-spooled\",\"rating\":5}");

        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(answer.body()).isEqualTo("{\"ok\":true}");
        await("applied from the spool").atMost(Duration.ofSeconds(20))
                .until(() -> db.count("test_feedback") == 1 && TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake/").isEmpty());
        assertThat(jdbc.queryForMap("select id, rating from test_feedback")).isEqualTo(Map.of("id", "fb-spooled", "rating", 5));
        assertThat(jdbc.queryForObject("select route_id from intake_ledger", String.class)).isEqualTo(WEBHOOK);
        assertThat(db.count("dead_letters")).isZero();
        assertThat(metric("intake_spooled_total", "endpoint=\"" + WEBHOOK + "\",spool=\"r2\"")).isEqualTo(spooled + 1);
        assertThat(metric("intake_drained_total", "endpoint=\"" + WEBHOOK + "\"")).isEqualTo(drained + 1);
    }

    @Test
    void whileItsRouteIsStoppedTheInstanceIsNotReadyAndItsPathAnswers503() throws Exception {
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
        camelContext.getRouteController().stopRoute(WEBHOOK);
        try {
            HttpResponse<String> readiness = http.get("/readyz");
            assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
            HttpResponse<String> answer = http.postJson(SIGNED, "{\"id\":\"fb-2\",\"rating\":3}");
            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        } finally {
            camelContext.getRouteController().startRoute(WEBHOOK);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").statusCode() == 200);
        assertThat(http.postJson(SIGNED, "{\"id\":\"fb-2\",\"rating\":3}").statusCode()).isEqualTo(202);
    }

    @Test
    void badRequestsGetTheJsonErrorsAndWriteNothing() {
        assertError(http.postJson(PATH + "?key=wrong", "{\"id\":\"fb-3\",\"rating\":3}"), 403, "missing or wrong key");
        assertError(http.postJson(SIGNED, "{\"id\":\"fb-3\",\"rating\":9}"), 400, "rating must be a whole number from 1 to 5");
        assertError(http.postJson(SIGNED, "{\"id\":"), 400, "invalid JSON");
        assertError(http.post(SIGNED, "text/plain", "{}", Map.of()), 415, "Content-Type must be application/json");
        assertError(http.postJson(SIGNED, "{\"id\":\"" + "x".repeat(1_048_577) + "\",\"rating\":3}"), 413,
                "request body larger than 1048576 bytes");
        assertError(http.postJson(PATH + "/elsewhere", "{}"), 404, "not found");
        assertError(http.get(PATH), 405, "method not allowed");
        assertThat(db.count("test_feedback")).isZero();
    }

    @Test
    void aBodyThatStopsShortIs408() {
        String stalled = "POST " + SIGNED + " HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"id\":";

        String answer = http.sendRaw(stalled.getBytes(StandardCharsets.US_ASCII));

        assertThat(answer).startsWith("HTTP/1.1 408").contains("{\"error\":\"request body not received within 2 s\"}");
        assertThat(db.count("test_feedback")).isZero();
    }

    private static void assertError(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"error\":\"" + error + "\"}");
    }

    private double metric(String name, String labels) {
        return WebhookMetricsTest.value(scrape(), name, labels);
    }

    private String scrape() {
        HttpResponse<String> response = ManagementClient.operator(managementPort).get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
