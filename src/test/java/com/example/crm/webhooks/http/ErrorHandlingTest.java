package com.example.crm.webhooks.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

/** The shared route configuration turns each kind of failure into the spec's status and JSON body. */
class ErrorHandlingTest extends WebhookServiceTest {

    @BeforeEach
    void addFailingRoute() throws Exception {
        if (camelContext.getRoute("test-failing-webhook") != null) {
            return;
        }
        camelContext.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/test/failing-webhook?httpMethodRestrict=POST")
                        .routeId("test-failing-webhook")
                        .routeConfigurationId("webhook-errors")
                        .process(exchange -> {
                            switch (exchange.getMessage().getHeader("failure", String.class)) {
                                case "rejected" -> throw WebhookRejection.notFound("unknown subscription \"x\"");
                                case "unstorable" -> throw new DataIntegrityViolationException("insert failed",
                                        new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021"));
                                case "database-down" -> throw new CannotGetJdbcConnectionException("no connection",
                                        new SQLTransientConnectionException("pool timed out"));
                                case "database-gone-mid-transaction" -> throw rollbackFailedAfter(
                                        new UncategorizedSQLException("lock person", "select ...",
                                                new SQLException("terminating connection due to administrator command", "57P01")));
                                case "commit-and-rollback-failed" -> throw new TransactionSystemException(
                                        "JDBC rollback failed", new SQLException("Connection is closed"));
                                case "rollback-failed-after-a-bug" -> throw rollbackFailedAfter(
                                        new IllegalStateException("a bug"));
                                default -> throw new IllegalStateException("a bug with a secret in it: s3cr3t");
                            }
                        });
            }
        });
    }

    @Test
    void aRejectionCarriesItsStatusAndAnEscapedMessage() {
        HttpResponse<String> response = fail("rejected");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"error\":\"unknown subscription \\\"x\\\"\"}");
    }

    @Test
    void anUnreachableDatabaseIs503WithRetryAfter() {
        HttpResponse<String> response = fail("database-down");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(response.body()).isEqualTo("{\"error\":\"database unavailable, retry later\"}");
    }

    /** As TransactionTemplate throws when the rollback after {@code failure} fails on a connection the pool closed. */
    private static TransactionSystemException rollbackFailedAfter(Exception failure) {
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed"));
        rollback.initApplicationException(failure);
        return rollback;
    }

    @Test
    void aDatabaseGoneMidTransactionIs503EvenThoughItsRollbackFailed() {
        HttpResponse<String> response = fail("database-gone-mid-transaction");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(fail("rollback-failed-after-a-bug").statusCode()).isEqualTo(500);
    }

    @Test
    void aDatabaseGoneAtCommitIs503() {
        HttpResponse<String> response = fail("commit-and-rollback-failed");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
    }

    @Test
    void aSuspendedWebhookIs503WithRetryAfter() throws Exception {
        // As an operator suspends a route in the console; shutdown answers the same while exchanges finish.
        camelContext.getRouteController().suspendRoute("test-failing-webhook");
        try {
            HttpResponse<String> response = fail("bug");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        } finally {
            camelContext.getRouteController().resumeRoute("test-failing-webhook");
        }
        assertThat(fail("bug").statusCode()).isEqualTo(500);
    }

    @Test
    void valuesTheDatabaseRefusesAre400() {
        HttpResponse<String> response = fail("unstorable");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"request contains values that cannot be stored\"}");
    }

    @Test
    void anythingElseIs500WithoutInternals() {
        HttpResponse<String> response = fail("bug");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"error\":\"internal error\"}").doesNotContain("s3cr3t");
    }

    private HttpResponse<String> fail(String failure) {
        return http.post("/test/failing-webhook?failure=" + failure, "application/json", "{}", Map.of());
    }
}
