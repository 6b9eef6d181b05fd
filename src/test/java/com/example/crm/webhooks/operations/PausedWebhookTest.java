package com.example.crm.webhooks.operations;

import static com.example.crm.webhooks.support.TwilioRequests.INBOUND;
import static com.example.crm.webhooks.support.TwilioRequests.inboundMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.edge.WebhookMetricsTest;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.RawConnection;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An operator pauses a webhook with Camel's own suspend, on its entry route (in the console) or on
 * the route that stores its deliveries: every delivery that passes the webhook's checks is answered
 * as stored and kept in the intake spool, nothing is applied, a forged one is still 403, and
 * readiness stays UP. Resumed, what was held is applied once, in the order it was received, and the
 * deliveries that arrive while it is applied wait behind it. A store route replaced under traffic
 * (as a route file reload does) loses nothing either.
 */
class PausedWebhookTest extends WebhookServiceTest {

    private static final String ENTRY = "twilio-inbound";
    private static final String STORE = "store-twilio-inbound-message";
    private static final int HELD = 100;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @LocalServerPort
    private int managementPort;

    private ConsoleSession console;
    private TwilioRequests twilio;

    @BeforeEach
    void logIn() throws Exception {
        console = ConsoleSession.logIn(managementPort);
        twilio = new TwilioRequests(http);
    }

    /** The shared context is left with every route running, whatever a test did. */
    @AfterEach
    void everyRouteRunsAgain() throws Exception {
        for (String route : List.of(ENTRY, STORE)) {
            if (camelContext.getRouteController().getRouteStatus(route) == ServiceStatus.Suspended) {
                camelContext.getRouteController().resumeRoute(route);
            }
        }
        awaitIntakeSpoolDrained();
    }

    @Test
    void anEntryRouteSuspendedInTheConsoleHoldsEveryDeliveryUntilResumed() throws Exception {
        String route = console.search("org.apache.camel:type=routes,name=\"" + ENTRY + "\",*");
        assertRuns(console.exec(route, "suspend()"));
        assertThat(camelContext.getRouteController().getRouteStatus(ENTRY)).isEqualTo(ServiceStatus.Suspended);

        List<String> held = holdAndResume("SMentry", () -> assertRuns(console.exec(route, "resume()")));

        assertThat(camelContext.getRouteController().getRouteStatus(ENTRY)).isEqualTo(ServiceStatus.Started);
        assertThat(held).hasSize(HELD);
    }

    @Test
    void aStoreRouteSuspendedHoldsEveryDeliveryUntilResumed() throws Exception {
        camelContext.getRouteController().suspendRoute(STORE);

        List<String> held = holdAndResume("SMstore", () -> camelContext.getRouteController().resumeRoute(STORE));

        assertThat(camelContext.getRouteController().getRouteStatus(STORE)).isEqualTo(ServiceStatus.Started);
        assertThat(held).hasSize(HELD);
    }

    @Test
    void aStoreRouteReplacedUnderTrafficAsAReloadLosesNothing() throws Exception {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition store = model.getRouteDefinition(STORE);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            sent.add("SMreload%03d".formatted(i));
        }
        CompletableFuture<List<Integer>> traffic = CompletableFuture.supplyAsync(() -> sent.stream()
                .map(sid -> twilio.post(INBOUND, message(sid)).statusCode()).toList());
        // As a route file reload replaces a route: the old one stopped and removed, the new one added and started.
        await("the first answers").atMost(WAIT).until(() -> db.count("messages") > 0);
        for (int i = 0; i < 3 && !traffic.isDone(); i++) {
            model.addRouteDefinition(store);
        }

        assertThat(traffic.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("every answer").containsOnly(200);
        assertThat(camelContext.getRouteController().getRouteStatus(STORE)).isEqualTo(ServiceStatus.Started);
        await("every message applied").atMost(WAIT).until(() -> db.count("messages") == sent.size());
        awaitIntakeSpoolDrained();
        assertThat(jdbc.queryForList("select twilio_sid from messages order by created_at", String.class)).isEqualTo(sent);
    }

    /**
     * A request whose body is still arriving when its route is replaced: the old route's gate began
     * reading it, and the new route takes it with that body. Read again, the body would be empty and
     * the signature, checked against no fields, refused: a genuine message answered 403.
     */
    @Test
    void aRequestWhoseBodyArrivesWhileItsRouteIsReplacedIsStoredWithItsBody() throws Exception {
        Map<String, String> form = message("SMbodyacrossreload");
        String body = WebhookClient.formEncode(form);
        String signature = TwilioRequests.signature(TestInfrastructure.TWILIO_AUTH_TOKEN, TestInfrastructure.PUBLIC_BASE_URL + INBOUND, form);
        int half = body.length() / 2;
        try (RawConnection caller = RawConnection.open(http.baseUrl(), "127.0.0.1")) {
            caller.send("POST " + INBOUND + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: " + signature + "\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, half));
            await("the old route reading the body").atMost(WAIT)
                    .until(() -> WebhookMetricsTest.value(metrics(), "public_http_body_buffer_bytes", "") >= half);

            Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
            model.addRouteDefinition(model.getRouteDefinition(ENTRY));
            caller.send(body.substring(half));

            assertThat(caller.readResponse(WAIT)).startsWith("HTTP/1.1 200");
        }
        assertThat(jdbc.queryForObject("select body from messages where twilio_sid = 'SMbodyacrossreload'", String.class))
                .isEqualTo("held SMbodyacrossreload");
    }

    /**
     * A reload replaces the webhook's entry route itself: its consumer is suspended while its exchanges
     * finish, then removed, and the new one added. Requests that arrive meanwhile wait for the new
     * route (four callers at once, so some do) and none is answered 503.
     */
    @Test
    void anEntryRouteReplacedUnderTrafficAsAReloadLosesNothing() throws Exception {
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        RouteDefinition entry = model.getRouteDefinition(ENTRY);
        List<CompletableFuture<List<Integer>>> callers = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int caller = 0; caller < 4; caller++) {
            List<String> sids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                sids.add("SMentryreload%d%03d".formatted(caller, i));
            }
            sent.addAll(sids);
            callers.add(CompletableFuture.supplyAsync(() -> sids.stream()
                    .map(sid -> twilio.post(INBOUND, message(sid)).statusCode()).toList()));
        }
        await("the first answers").atMost(WAIT).until(() -> db.count("messages") > 0);
        int replaced = 0;
        while (replaced < 5 && callers.stream().anyMatch(caller -> !caller.isDone())) {
            model.addRouteDefinition(entry);
            replaced++;
        }

        for (CompletableFuture<List<Integer>> caller : callers) {
            assertThat(caller.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("every answer").containsOnly(200);
        }
        assertThat(replaced).as("replaced under traffic").isPositive();
        assertThat(camelContext.getRouteController().getRouteStatus(ENTRY)).isEqualTo(ServiceStatus.Started);
        await("every message applied").atMost(WAIT).until(() -> db.count("messages") == sent.size());
        awaitIntakeSpoolDrained();
        assertThat(jdbc.queryForList("select twilio_sid from messages", String.class)).containsExactlyInAnyOrderElementsOf(sent);
    }

    /**
     * With the webhook paused: {@value #HELD} messages answered as stored and none applied over two
     * drain passes, a forged one 403, readiness UP; then {@code resume}, ten more at once, and every
     * one applied once, in the order sent, the ten through the spool behind the held ones. Returns the held ones' sids.
     */
    private List<String> holdAndResume(String prefix, ThrowingRunnable resume) throws Exception {
        List<String> held = new ArrayList<>();
        for (int i = 0; i < HELD; i++) {
            String sid = prefix + "%03d".formatted(i);
            HttpResponse<String> answer = twilio.post(INBOUND, message(sid));
            assertThat(answer.statusCode()).as(sid).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("<Response></Response>");
            held.add(sid);
        }
        HttpResponse<String> forged = twilio.postWithSignature(INBOUND, message(prefix + "forged"), "Zm9yZ2Vk");
        assertThat(forged.statusCode()).isEqualTo(403);
        assertReady();

        NotifyBuilder twoDrainPasses = new NotifyBuilder(camelContext).fromRoute("drain-r2-spool").whenDone(2).create();
        assertThat(twoDrainPasses.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).as("two drain passes").isTrue();
        assertThat(db.count("messages")).as("nothing applied while paused").isZero();
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake/")).hasSize(HELD);
        assertThat(managementHealth()).contains("\"paused\":[\"" + ENTRY + "\"]").contains("\"webhookRoutes\":{\"status\":\"UP\"");
        assertThat(pausedGauge()).as("webhooks_paused while paused").isEqualTo(1.0);

        resume.run();
        List<String> live = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String sid = prefix + "live%02d".formatted(i);
            assertThat(twilio.post(INBOUND, message(sid)).statusCode()).isEqualTo(200);
            live.add(sid);
        }
        assertReady();

        await("every message applied").atMost(WAIT).until(() -> db.count("messages") == HELD + live.size());
        awaitIntakeSpoolDrained();
        List<String> all = new ArrayList<>(held);
        all.addAll(live);
        assertThat(jdbc.queryForList("select twilio_sid from messages order by created_at", String.class))
                .as("in the order received").isEqualTo(all);
        assertThat(jdbc.queryForObject("select count(*) from intake_ledger where route_id = ?", Integer.class, ENTRY))
                .as("the held ones, and the live ones behind them, went through the spool, each once")
                .isEqualTo(HELD + live.size());
        assertThat(db.count("dead_letters")).isZero();
        await("webhooks_paused back to 0").atMost(WAIT).until(() -> pausedGauge() == 0.0);
        assertThat(managementHealth()).contains("\"paused\":[]");
        return held;
    }

    private static Map<String, String> message(String sid) {
        return inboundMessage(sid, "+61400000001", "+61298765432", "held " + sid);
    }

    private String managementHealth() {
        return ManagementClient.operator(managementPort).get("/actuator/health").body();
    }

    private double pausedGauge() {
        return WebhookMetricsTest.value(metrics(), "webhooks_paused", "endpoint=\"" + ENTRY + "\"");
    }

    private String metrics() {
        return ManagementClient.operator(managementPort).get("/actuator/prometheus").body();
    }

    /** Ready, and healthy as a whole: a paused webhook is not a failing one (only webhookRoutes judges its routes). */
    private void assertReady() {
        HttpResponse<String> readiness = http.get("/readyz");
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        HttpResponse<String> health = http.get("/actuator/health");
        assertThat(health.statusCode()).as(managementHealth()).isEqualTo(200);
    }

    private static void assertRuns(JsonNode reply) {
        assertThat(reply.get("status").asInt()).as(reply.toString()).isEqualTo(200);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
