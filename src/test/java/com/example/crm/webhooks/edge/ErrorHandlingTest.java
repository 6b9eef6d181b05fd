package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.FaultInjection;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.apache.camel.Consumer;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.TransactionSystemException;

/**
 * The shared error handling (WebhookErrorHandling) turns each kind of failure into the spec's
 * status and JSON body. The failures are provoked where they happen in production, at the
 * status callback's insert step ({@code to-postgres-insert-status-event}, through AdviceWith), on
 * a correctly signed callback. A database that cannot take it keeps the callback in the intake
 * spool and answers as stored; every refusal leaves the data as it was.
 */
class ErrorHandlingTest extends WebhookServiceTest {

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
    void aRejectionCarriesItsStatusAndAnEscapedMessage() {
        HttpResponse<String> response = failWith(new UnknownEntityException("unknown subscription \"x\""));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"error\":\"unknown subscription \\\"x\\\"\"}");
    }

    @Test
    void anUnreachableDatabaseKeepsTheDeliveryInTheSpoolAndAnswersAsStored() {
        assertSpooledAndAppliedLater(new CannotGetJdbcConnectionException("no connection",
                new SQLTransientConnectionException("pool timed out")));
    }

    /** As TransactionTemplate throws when the rollback after {@code failure} fails on a connection the pool closed. */
    private static TransactionSystemException rollbackFailedAfter(Exception failure) {
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed"));
        rollback.initApplicationException(failure);
        return rollback;
    }

    @Test
    void aDatabaseGoneMidTransactionCountsAsUnreachableEvenThoughItsRollbackFailed() {
        assertSpooledAndAppliedLater(rollbackFailedAfter(new UncategorizedSQLException("lock person", "select ...",
                new SQLException("terminating connection due to administrator command", "57P01"))));
        assertThat(failWith(rollbackFailedAfter(new IllegalStateException("a bug"))).statusCode()).isEqualTo(500);
    }

    @Test
    void aDatabaseGoneAtCommitCountsAsUnreachable() {
        assertSpooledAndAppliedLater(new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed")));
    }

    @Test
    void whenNoSpoolTakesTheDeliveryEitherItIs503WithRetryAfter() {
        FaultInjection r2 = FaultInjection.before(camelContext, "spool-delivery", "to-r2-spool-delivery");
        FaultInjection directory = FaultInjection.before(camelContext, "spool-delivery", "to-directory-spool-delivery");
        r2.failNext(1, new IllegalStateException("R2 is down"));
        directory.failNext(1, new java.io.IOException("No space left on device"));
        try {
            HttpResponse<String> response = failWith(new CannotGetJdbcConnectionException("no connection",
                    new SQLTransientConnectionException("pool timed out")));
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(response.body()).isEqualTo("{\"error\":\"database unavailable, retry later\"}");
            assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake/")).isEmpty();
        } finally {
            r2.disarm();
            directory.disarm();
        }
    }

    @Test
    void aWebhookWhoseConsumerIsSuspendedIs503WithRetryAfter() throws Exception {
        // As Camel suspends a stopping route's consumer while its exchanges finish (a stop, the shutdown;
        // an operator's suspend of the webhook's route pauses it instead: PausedWebhookTest).
        Consumer consumer = camelContext.getRoute("twilio-message-status").getConsumer();
        ServiceHelper.suspendService(consumer);
        try {
            HttpResponse<String> response = send();
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
        } finally {
            ServiceHelper.resumeService(consumer);
        }
        assertThat(send().statusCode()).isEqualTo(204);
    }

    @Test
    void valuesTheDatabaseRefusesAre400() {
        HttpResponse<String> response = failWith(new DataIntegrityViolationException("insert failed",
                new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021")));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"request contains values that cannot be stored\"}");
    }

    @Test
    void anythingElseIs500WithoutInternals() {
        HttpResponse<String> response = failWith(new IllegalStateException("a bug with a secret in it: s3cr3t"));
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"error\":\"internal error\"}").doesNotContain("s3cr3t");
    }

    /** Answered as stored while the insert fails once; applied from the spool a moment later, once. */
    private void assertSpooledAndAppliedLater(Exception failure) {
        insert.failNext(1, failure);
        HttpResponse<String> response = send();
        assertThat(response.statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("message_status_events") == 1
                && TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake/").isEmpty());
    }

    /** A correctly signed, new status callback whose insert fails with {@code failure}; nothing is written. */
    private HttpResponse<String> failWith(Exception failure) {
        insert.failNext(1, failure);
        var before = db.snapshot();
        HttpResponse<String> response = send();
        assertThat(db.snapshot()).isEqualTo(before);
        return response;
    }

    private HttpResponse<String> send() {
        return twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SMerrors00001", "delivered"));
    }
}
