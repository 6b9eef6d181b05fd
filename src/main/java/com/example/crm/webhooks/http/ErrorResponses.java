package com.example.crm.webhooks.http;

import com.example.crm.webhooks.operations.WebhookMetrics;
import com.example.crm.webhooks.operations.WebhookMetrics.Reason;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Predicate;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionSystemException;

/**
 * Turns the exception a webhook route failed with into the spec's JSON error body. The routes'
 * shared error handling (routes/error-handling.camel.yaml) decides the status; this bean only
 * writes {@code {"error": "..."}} with proper JSON escaping, and tells a down database apart.
 * Every refusal is counted by its reason ({@link WebhookMetrics}).
 */
@Component("errorResponses")
public class ErrorResponses {

    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    private final ObjectMapper objectMapper;
    private final WebhookMetrics metrics;

    public ErrorResponses(ObjectMapper objectMapper, WebhookMetrics metrics) {
        this.objectMapper = objectMapper;
        this.metrics = metrics;
    }

    /** Status and body for a {@link WebhookRejection}. */
    public void rejection(Exchange exchange) {
        WebhookRejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, WebhookRejection.class);
        int status = rejection == null ? 400 : rejection.getStatus();
        String message = rejection == null ? "bad request" : rejection.getMessage();
        metrics.rejected(exchange, WebhookMetrics.reasonFor(status));
        write(exchange, status, message);
    }

    /** 503 with the body; the public port adds Retry-After (PublicHttpServer). */
    public void databaseUnavailable(Exchange exchange) {
        metrics.rejected(exchange, Reason.UNAVAILABLE);
        write(exchange, 503, "database unavailable, retry later");
    }

    /** 400 for values the database refuses to store (a NUL character in text, say). */
    public void unstorableData(Exchange exchange) {
        write(exchange, 400, "request contains values that cannot be stored");
    }

    /** 500 for anything unexpected; the cause goes to the log, never to the caller. */
    public void internalError(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        log.error("Webhook {} failed", exchange.getFromRouteId(), cause);
        metrics.rejected(exchange, Reason.INTERNAL_ERROR);
        write(exchange, 500, "internal error");
    }

    /** True when the failure means the database could not be reached (rather than a bad statement). */
    public boolean isDatabaseUnavailable(Exchange exchange) {
        return isDatabaseUnavailable(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    private static boolean isDatabaseUnavailable(Throwable failure) {
        // Spring files a program limit (class 54) under resource failures too; it is the values' fault.
        return !anyCause(failure, ErrorResponses::isRefusedValue)
                && anyCause(failure, t -> t instanceof DataAccessResourceFailureException
                || t instanceof SQLTransientConnectionException
                || hasSqlState(t, "08") // connection exception
                || hasSqlState(t, "57P") // the server shutting down or starting up
                // The COMMIT itself failed and so did the rollback: the connection died at commit
                // (Spring logs the commit's failure and throws the rollback's, with no application exception).
                || t instanceof TransactionSystemException tx && tx.getApplicationException() == null);
    }

    /**
     * True when PostgreSQL refused the values themselves: SQLState class 22, data exception (NUL
     * in text, a lone surrogate in jsonb, a number out of range), or class 54, program limit
     * exceeded (a value too large for an index row). The caller's input is at fault, and the
     * transaction that hit it was rolled back.
     */
    public boolean isUnstorableData(Exchange exchange) {
        return anyCause(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class), ErrorResponses::isRefusedValue);
    }

    private static boolean isRefusedValue(Throwable t) {
        return hasSqlState(t, "22") || hasSqlState(t, "54");
    }

    /**
     * Whether the failure or any of its causes matches. A failed rollback counts with the failure it
     * hides: when the database goes away inside a transaction the pool has already closed the
     * connection, so the rollback fails too ("Connection is closed", no SQLState) and the
     * transaction template throws that, keeping the statement's own failure aside.
     */
    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return true;
            }
            if (t instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                    && anyCause(rollback.getApplicationException(), test)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasSqlState(Throwable t, String classPrefix) {
        return t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith(classPrefix);
    }

    private void write(Exchange exchange, int status, String message) {
        ObjectNode body = objectMapper.createObjectNode().put("error", message);
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(body.toString());
    }
}
