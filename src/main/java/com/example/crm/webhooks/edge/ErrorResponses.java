package com.example.crm.webhooks.edge;

import com.example.crm.webhooks.edge.WebhookMetrics.Reason;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Writes the answer to a webhook that failed: the spec's status and {@code {"error": "..."}} with
 * proper JSON escaping, nothing of the request echoed back. {@link WebhookErrorHandling} decides
 * which answer a failure gets; every refusal is counted by its reason ({@link WebhookMetrics}).
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
        if (rejection != null && rejection.deliveryId() != null) {
            WebhookOutcomeLog.name(exchange, rejection.deliveryId());
        }
        metrics.rejected(exchange, WebhookMetrics.reasonFor(status));
        write(exchange, status, message);
    }

    /** 503 with the body; the public port adds Retry-After (PublicHttpServer). */
    public void databaseUnavailable(Exchange exchange) {
        metrics.rejected(exchange, Reason.UNAVAILABLE);
        write(exchange, 503, "database unavailable, retry later");
    }

    /** 400 for values the database refuses to store (a NUL character in text, say): the caller's input. */
    public void unstorableData(Exchange exchange) {
        metrics.rejected(exchange, Reason.VALIDATION);
        write(exchange, 400, "request contains values that cannot be stored");
    }

    /** 500 for anything unexpected; the cause goes to the log, never to the caller. */
    public void internalError(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        log.error("Webhook {} failed", exchange.getFromRouteId(), cause);
        metrics.rejected(exchange, Reason.INTERNAL_ERROR);
        write(exchange, 500, "internal error");
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
