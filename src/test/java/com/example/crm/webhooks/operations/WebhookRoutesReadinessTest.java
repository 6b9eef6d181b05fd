package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Readiness knows the webhooks: while a webhook route is stopped or gone, /readyz is DOWN (so the
 * load balancer sends webhooks elsewhere) and the webhook's path, once a request has waited for
 * the route to come back, answers 503 in JSON with Retry-After (so the caller retries) and keeps
 * the delivery as refused; once it runs again, so does everything else. A suspended one
 * is paused, not gone: it holds its deliveries and readiness stays UP. A path no
 * route serves gets a JSON 404, never Vert.x's HTML page.
 */
class WebhookRoutesReadinessTest extends WebhookServiceTest {

    @LocalServerPort
    private int managementPort;

    private static final String ALERT = "/api/webhooks/reversecontact";

    @AfterEach
    void everyWebhookRunsAgain() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(http.get("/readyz").statusCode()).isEqualTo(200));
    }

    @Test
    void aStoppedWebhookRouteMakesTheInstanceUnreadyAndItsPathAnswers503() throws Exception {
        assertReady();
        camelContext.getRouteController().stopRoute("reversecontact-alert");
        try {
            assertUnready();
            long started = System.nanoTime();
            assertUnavailable(http.postJson(ALERT, "{\"subscriptionId\":\"sub-stopped\"}"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited for the route to come back first")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(10));
            await("kept for an operator to replay").atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForList(
                    "select status || ' ' || reason || ' ' || authenticated from refused_deliveries where webhook = ? "
                            + "and convert_from(body, 'UTF8') like '%sub-stopped%'", String.class, "reversecontact-alert"),
                    kept -> kept.equals(List.of("503 unavailable false")));
        } finally {
            camelContext.getRouteController().startRoute("reversecontact-alert");
        }
        assertReady();
        assertThat(http.postJson(ALERT, "{\"subscriptionId\":\"sub-1\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void aSuspendedWebhookRouteIsPausedAndTheInstanceStaysReady() throws Exception {
        // Its deliveries are held in the intake spool meanwhile (PausedWebhookTest).
        camelContext.getRouteController().suspendRoute("reversecontact-alert");
        try {
            assertReady();
        } finally {
            camelContext.getRouteController().resumeRoute("reversecontact-alert");
        }
        assertReady();
    }

    @Test
    void aWebhookRouteThatIsGoneMakesTheInstanceUnreadyAndItsPathAnswers503() throws Exception {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition alert = model.getRouteDefinition("reversecontact-alert");
        camelContext.getRouteController().stopRoute("reversecontact-alert");
        camelContext.removeRoute("reversecontact-alert");
        try {
            assertUnready();
            assertUnavailable(http.postJson(ALERT, "{\"subscriptionId\":\"sub-1\"}"));
        } finally {
            model.addRouteDefinition(alert);
        }
        assertReady();
        assertThat(http.postJson(ALERT, "{\"subscriptionId\":\"sub-1\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void theSpoolDirectoryDrainRestartingLeavesHealthAndReadinessUp() throws Exception {
        // A restarted polling consumer has not polled yet (its first poll is a second away): Camel's
        // own check for it would say DOWN meanwhile, while the intake indicator says how the spool is.
        camelContext.getRouteController().stopRoute("drain-directory-spool");
        camelContext.getRouteController().startRoute("drain-directory-spool");

        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
        assertReady();
    }

    @Test
    void aPathNoRouteServesGetsAJson404AndAWrongMethodAJson405() {
        HttpResponse<String> unknown = http.postJson("/api/webhooks/nothing-here", "{}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(unknown.body()).isEqualTo("{\"error\":\"not found\"}");

        HttpResponse<String> wrongMethod = http.get(ALERT);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(wrongMethod.body()).isEqualTo("{\"error\":\"method not allowed\"}");
    }

    /** The load balancer's /readyz says the status alone; why is the operator's, on the management port. */
    private void assertReady() {
        HttpResponse<String> readiness = http.get("/readyz");
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        assertThat(readiness.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(operatorReadiness()).contains("\"webhookRoutes\":{\"status\":\"UP\"");
    }

    private void assertUnready() {
        HttpResponse<String> readiness = http.get("/readyz");
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
        assertThat(readiness.body()).isEqualTo("{\"status\":\"DOWN\"}");
        assertThat(operatorReadiness()).contains("\"webhookRoutes\":{\"status\":\"DOWN\"").contains("\"intake\":{\"status\":\"UP\"");
        assertThat(http.get("/livez").statusCode()).isEqualTo(200);
    }

    private String operatorReadiness() {
        return ManagementClient.operator(managementPort).get("/actuator/health/readiness").body();
    }

    private static void assertUnavailable(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(answer.body()).isEqualTo("{\"error\":\"webhook unavailable, retry later\"}");
    }
}
