package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.http.WebhookRejection;
import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.sql.SQLTransientConnectionException;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/** A webhook moves its counters in /actuator/prometheus; the gauges count jobs and dead letters. */
class WebhookMetricsTest extends WebhookServiceTest {

    private static final String ROUTE = "test-metrics-webhook";

    @LocalServerPort
    private int managementPort;

    @BeforeEach
    void addCountingRoute() throws Exception {
        if (camelContext.getRoute(ROUTE) != null) {
            return;
        }
        camelContext.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // Answers as the query asks: the way a real webhook ends in each case.
                from("platform-http:/api/webhooks/test/metrics?httpMethodRestrict=POST")
                        .routeId(ROUTE)
                        .routeConfigurationId("webhook-errors")
                        .process(exchange -> {
                            switch (exchange.getMessage().getHeader("outcome", String.class)) {
                                case "signature" -> throw WebhookRejection.forbidden("invalid signature");
                                case "unknown" -> throw WebhookRejection.notFound("unknown subscription");
                                case "invalid" -> throw WebhookRejection.badRequest("missing id");
                                case "too-large" -> throw WebhookRejection.payloadTooLarge("too large");
                                case "not-configured" -> throw WebhookRejection.notConfigured("Twilio is not configured");
                                case "database-down" -> throw new CannotGetJdbcConnectionException("no connection",
                                        new SQLTransientConnectionException("pool timed out"));
                                case "bug" -> throw new IllegalStateException("a bug");
                                default -> { }
                            }
                        })
                        .choice()
                            .when(header("outcome").isEqualTo("duplicate")).bean("webhookMetrics", "duplicate")
                            .otherwise().bean("webhookMetrics", "accepted")
                        .end()
                        .setBody(constant("{\"ok\":true}"));
            }
        });
    }

    @Test
    void eachOutcomeMovesItsOwnCounter() {
        Map<String, Double> before = Map.of(
                "accepted", accepted(), "signature", rejected("signature"), "unknown_entity", rejected("unknown_entity"),
                "validation", rejected("validation"), "duplicate", rejected("duplicate"));

        assertThat(post("accepted").statusCode()).isEqualTo(200);
        assertThat(post("accepted").statusCode()).isEqualTo(200);
        assertThat(post("duplicate").statusCode()).isEqualTo(200);
        assertThat(post("signature").statusCode()).isEqualTo(403);
        assertThat(post("unknown").statusCode()).isEqualTo(404);
        assertThat(post("invalid").statusCode()).isEqualTo(400);
        assertThat(post("too-large").statusCode()).isEqualTo(413);

        assertThat(accepted()).isEqualTo(before.get("accepted") + 2);
        assertThat(rejected("duplicate")).isEqualTo(before.get("duplicate") + 1);
        assertThat(rejected("signature")).isEqualTo(before.get("signature") + 1);
        assertThat(rejected("unknown_entity")).isEqualTo(before.get("unknown_entity") + 1);
        assertThat(rejected("validation")).isEqualTo(before.get("validation") + 2);
    }

    @Test
    void serverSideFailuresAreCountedApartFromTheCallersMistakes() {
        double notConfigured = rejected("not_configured");
        double unavailable = rejected("unavailable");
        double internalError = rejected("internal_error");

        assertThat(post("not-configured").statusCode()).isEqualTo(500);
        assertThat(post("database-down").statusCode()).isEqualTo(503);
        assertThat(post("bug").statusCode()).isEqualTo(500);

        assertThat(rejected("not_configured")).isEqualTo(notConfigured + 1);
        assertThat(rejected("unavailable")).isEqualTo(unavailable + 1);
        assertThat(rejected("internal_error")).isEqualTo(internalError + 1);
    }

    @Test
    void theFourWebhooksHaveTheirSeriesBeforeTheFirstRequest() {
        String metrics = scrape();
        for (String endpoint : WebhookMetrics.WEBHOOK_ROUTES) {
            assertThat(metrics).contains("webhooks_accepted_total{endpoint=\"" + endpoint + "\"}");
            for (String reason : new String[] {"signature", "validation", "unknown_entity", "duplicate"}) {
                assertThat(metrics).contains("webhooks_rejected_total{endpoint=\"" + endpoint + "\",reason=\"" + reason + "\"}");
            }
        }
    }

    @Test
    void camelReportsExchangesPerRoute() {
        post("accepted");
        post("signature");
        String metrics = scrape();
        assertThat(value(metrics, "camel_exchanges_total", "routeId=\"" + ROUTE + "\"")).isGreaterThanOrEqualTo(2);
        assertThat(value(metrics, "camel_exchanges_failures_handled_total", "routeId=\"" + ROUTE + "\"")).isGreaterThanOrEqualTo(1);
        assertThat(metrics).containsPattern("camel_exchanges_failed_total\\{[^}]*routeId=\"" + ROUTE + "\"")
                .containsPattern("camel_exchanges_succeeded_total\\{[^}]*routeId=\"" + ROUTE + "\"")
                .containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"" + ROUTE + "\"")
                .containsPattern("camel_route_policy_seconds_max\\{[^}]*routeId=\"" + ROUTE + "\"");
    }

    @Test
    void aWebhooksInternalStepsAreInItsOwnFiguresNotSeriesOfTheirOwn() {
        TwilioRequests twilio = new TwilioRequests(http);
        assertThat(twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SM1", "sent")).statusCode())
                .isEqualTo(204);
        assertThat(twilio.post(TwilioRequests.INBOUND,
                TwilioRequests.inboundMessage("SM2", "+61412345678", "+61400000000", "Hi")).statusCode()).isEqualTo(200);
        String metrics = scrape();
        assertThat(metrics).containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"twilio-message-status\"")
                .containsPattern("camel_route_policy_seconds_count\\{[^}]*routeId=\"twilio-inbound\"")
                .doesNotContain("routeId=\"record-twilio-message-status\"")
                .doesNotContain("routeId=\"store-twilio-inbound-message\"");
    }

    @Test
    void gaugesCountEnrichmentJobsByStateAndOpenDeadLetters() {
        try (EnrichmentPause paused = EnrichmentPause.of(camelContext)) {
            gaugesCountTheRowsInserted();
        }
    }

    private void gaugesCountTheRowsInserted() {
        jdbc.update("insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state) values "
                + "('j1', 'person', 'p1', 'https://www.linkedin.com/in/a', 'pending'), "
                + "('j2', 'person', 'p2', 'https://www.linkedin.com/in/b', 'dead'), "
                + "('j3', 'person', 'p3', 'https://www.linkedin.com/in/c', 'dead'), "
                + "('j4', 'company', 'c1', 'https://www.linkedin.com/company/d', 'done')");
        jdbc.update("insert into dead_letters (id, route_id, job_id, error, replayed_at) values "
                + "('d1', 'enrichment', 'j2', 'boom', null), ('d2', 'enrichment', 'j3', 'boom', null), "
                + "('d3', 'enrichment', 'j3', 'older boom', now())");

        String metrics = scrape();
        assertThat(value(metrics, "enrichment_jobs", "state=\"pending\"")).isEqualTo(1);
        assertThat(value(metrics, "enrichment_jobs", "state=\"dead\"")).isEqualTo(2);
        assertThat(value(metrics, "enrichment_jobs", "state=\"done\"")).isEqualTo(1);
        assertThat(value(metrics, "enrichment_jobs", "state=\"running\"")).isEqualTo(0);
        assertThat(value(metrics, "dead_letters_unreplayed", "")).isEqualTo(2);
    }

    private HttpResponse<String> post(String outcome) {
        return http.postJson("/api/webhooks/test/metrics?outcome=" + outcome, "{}");
    }

    private double accepted() {
        return value(scrape(), "webhooks_accepted_total", "endpoint=\"" + ROUTE + "\"");
    }

    private double rejected(String reason) {
        return value(scrape(), "webhooks_rejected_total", "endpoint=\"" + ROUTE + "\",reason=\"" + reason + "\"");
    }

    private String scrape() {
        HttpResponse<String> response = ManagementClient.operator(managementPort).get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of the first series of {@code name} whose labels contain {@code labels}; 0 when absent. */
    static double value(String metrics, String name, String labels) {
        Matcher line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        while (line.find()) {
            if (line.group(1) == null ? labels.isEmpty() : line.group(1).contains(labels)) {
                return Double.parseDouble(line.group(2));
            }
        }
        return 0;
    }
}
