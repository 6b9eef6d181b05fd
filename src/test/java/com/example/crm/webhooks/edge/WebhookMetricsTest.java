package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.FaultInjection;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.apache.camel.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * A webhook moves its counters in /actuator/prometheus; the gauges count jobs and dead letters.
 * Requests go to the real status callback route; the failures a caller cannot cause are provoked at
 * its insert step (support.FaultInjection).
 */
public class WebhookMetricsTest extends WebhookServiceTest {

    private static final String ROUTE = "twilio-message-status";

    @LocalServerPort
    private int managementPort;

    private FaultInjection insert;
    private TwilioRequests twilio;
    @BeforeEach
    void atTheInsert() {
        insert = FaultInjection.before(camelContext, "store-twilio-message-status", "to-postgres-insert-status-event");
        twilio = new TwilioRequests(http);
    }

    @AfterEach
    void disarm() {
        insert.disarm();
    }

    @Test
    void eachOutcomeMovesItsOwnCounter() {
        Map<String, Double> before = Map.of(
                "accepted", accepted(), "signature", rejected("signature"), "unknown_entity", rejected("unknown_entity"),
                "validation", rejected("validation"), "duplicate", rejected("duplicate"));

        assertThat(callback("SMmetrics01").statusCode()).isEqualTo(204);
        assertThat(callback("SMmetrics02").statusCode()).isEqualTo(204);
        assertThat(callback("SMmetrics02").statusCode()).isEqualTo(204); // a repeat
        assertThat(twilio.postWithSignature(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SMmetrics03", "sent"),
                "forged").statusCode()).isEqualTo(403);
        assertThat(twilio.post(TwilioRequests.MESSAGE_STATUS, Map.of("MessageSid", "SMmetrics04")).statusCode()).isEqualTo(400);
        assertThat(http.post(TwilioRequests.MESSAGE_STATUS, "application/x-www-form-urlencoded", "a=" + "x".repeat(1_048_577),
                Map.of()).statusCode()).isEqualTo(413);
        insert.failNext(1, new UnknownEntityException("no such message"));
        assertThat(callback("SMmetrics05").statusCode()).isEqualTo(404);
        // Values the database refuses are the caller's mistake too.
        insert.failNext(1, new DataIntegrityViolationException("insert failed", new SQLException("NUL in text", "22021")));
        assertThat(callback("SMmetrics06").statusCode()).isEqualTo(400);

        assertThat(accepted()).isEqualTo(before.get("accepted") + 2);
        assertThat(rejected("duplicate")).isEqualTo(before.get("duplicate") + 1);
        assertThat(rejected("signature")).isEqualTo(before.get("signature") + 1);
        assertThat(rejected("unknown_entity")).isEqualTo(before.get("unknown_entity") + 1);
        assertThat(rejected("validation")).isEqualTo(before.get("validation") + 3);
    }

    @Test
    void serverSideFailuresAreCountedApartFromTheCallersMistakes() {
        double notConfigured = rejected("not_configured");
        double spooledInR2 = value(scrape(), "intake_spooled_total", "endpoint=\"" + ROUTE + "\",spool=\"r2\"");
        double unavailable = rejected("unavailable");
        double internalError = rejected("internal_error");

        insert.failNext(1, WebhookRejection.notConfigured("Twilio is not configured"));
        assertThat(callback("SMmetrics11").statusCode()).isEqualTo(500);
        // The database cannot take it: kept in the spool, answered as stored.
        insert.failNext(1, new CannotGetJdbcConnectionException("no connection", new SQLTransientConnectionException("pool timed out")));
        assertThat(callback("SMmetrics12").statusCode()).isEqualTo(204);
        // Applied from the spool through the same insert step, before the next fault is armed there.
        await().atMost(Duration.ofSeconds(10)).until(() -> TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake/").isEmpty()
                && db.count("message_status_events") == 1);
        // ...and when no spool can take it either: 503.
        FaultInjection r2 = FaultInjection.before(camelContext, "spool-delivery", "to-r2-spool-delivery");
        FaultInjection directory = FaultInjection.before(camelContext, "spool-delivery", "to-directory-spool-delivery");
        try {
            r2.failNext(1, new IllegalStateException("R2 is down"));
            directory.failNext(1, new IllegalStateException("the disk is full"));
            insert.failNext(1, new CannotGetJdbcConnectionException("no connection", new SQLTransientConnectionException("pool timed out")));
            assertThat(callback("SMmetrics13").statusCode()).isEqualTo(503);
        } finally {
            r2.disarm();
            directory.disarm();
        }
        insert.failNext(1, new IllegalStateException("a bug"));
        assertThat(callback("SMmetrics14").statusCode()).isEqualTo(500);

        assertThat(rejected("not_configured")).isEqualTo(notConfigured + 1);
        assertThat(value(scrape(), "intake_spooled_total", "endpoint=\"" + ROUTE + "\",spool=\"r2\"")).isEqualTo(spooledInR2 + 1);
        assertThat(rejected("unavailable")).isEqualTo(unavailable + 1);
        assertThat(rejected("internal_error")).isEqualTo(internalError + 1);
    }

    @Test
    void theFourWebhooksHaveTheirSeriesBeforeTheFirstRequest() {
        String metrics = scrape();
        List<String> webhooks = camelContext.getRoutes().stream()
                .filter(route -> WebhookCatalog.GROUP.equals(route.getGroup())).map(Route::getRouteId).toList();
        assertThat(webhooks).isNotEmpty();
        for (String endpoint : webhooks) {
            assertThat(metrics).contains("webhooks_accepted_total{endpoint=\"" + endpoint + "\"}");
            for (String reason : new String[] {"signature", "validation", "unknown_entity", "duplicate"}) {
                assertThat(metrics).contains("webhooks_rejected_total{endpoint=\"" + endpoint + "\",reason=\"" + reason + "\"}");
            }
        }
    }

    @Test
    void camelReportsExchangesPerRoute() {
        callback("SMmetrics21");
        twilio.postWithSignature(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SMmetrics22", "sent"), "forged");
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
                .doesNotContain("routeId=\"store-twilio-message-status\"")
                .doesNotContain("routeId=\"store-twilio-inbound-message\"");
    }

    private HttpResponse<String> callback(String messageSid) {
        return twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback(messageSid, "delivered"));
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
    public static double value(String metrics, String name, String labels) {
        Matcher line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        while (line.find()) {
            if (line.group(1) == null ? labels.isEmpty() : line.group(1).contains(labels)) {
                return Double.parseDouble(line.group(2));
            }
        }
        return 0;
    }
}
