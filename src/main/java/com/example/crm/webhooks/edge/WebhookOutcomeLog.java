package com.example.crm.webhooks.edge;

import com.example.crm.webhooks.logging.LogText;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeCompletedEvent;
import org.apache.camel.spi.CamelEvent.ExchangeFailedEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One INFO line per webhook request, when its exchange completes:
 * {@code webhook route=twilio-inbound outcome=accepted status=200 id=SM123 ms=14}.
 * It names the route, the outcome (accepted, duplicate, rejected/&lt;reason&gt;, failed), the HTTP
 * status and the provider's id of what was delivered (MessageSid, subscriptionId, type:id), which
 * a route names right after reading the delivery ({@code edge.LogDeliveryId}), or a refusal names
 * ({@code WebhookRejection.about}). Never bodies, headers or secrets; the id is cut short, its
 * spaces and {@code =} made {@code _}, its line breaks and controls escaped.
 * Camel adds EventNotifier beans to the context by itself.
 */
@Component
public class WebhookOutcomeLog extends EventNotifierSupport {

    /** Exchange property that holds the provider's id of the delivery ({@link #name}). */
    static final String DELIVERY_ID_PROPERTY = "webhookDeliveryId";

    private static final Logger log = LoggerFactory.getLogger("webhooks");
    private static final int MAX_ID_LENGTH = 80;

    public WebhookOutcomeLog() {
        // Only completions matter; skipping the rest keeps the notifier off the per-step path.
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
        setIgnoreStepEvents(true);
    }

    /** Names the delivery in its log line; a later refusal is logged with the name too. */
    public static void name(Exchange exchange, String deliveryId) {
        exchange.setProperty(DELIVERY_ID_PROPERTY, deliveryId);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return (event instanceof ExchangeCompletedEvent || event instanceof ExchangeFailedEvent)
                && isWebhook(((CamelEvent.ExchangeEvent) event).getExchange());
    }

    @Override
    public void notify(CamelEvent event) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
        long millis = exchange.getClock().elapsed();
        log.info(format(exchange.getFromRouteId(), outcome(exchange), status(exchange),
                exchange.getProperty(DELIVERY_ID_PROPERTY, String.class), millis));
    }

    /** The log line; every value is one token, so the line stays parseable. */
    static String format(String routeId, String outcome, int status, String providerId, long millis) {
        return "webhook route=" + token(routeId) + " outcome=" + token(outcome) + " status=" + status
                + " id=" + token(providerId) + " ms=" + millis;
    }

    static String outcome(Exchange exchange) {
        if (exchange.isFailed()) {
            return "failed";
        }
        String outcome = exchange.getProperty(WebhookMetrics.OUTCOME_PROPERTY, String.class);
        String reason = exchange.getProperty(WebhookMetrics.REASON_PROPERTY, String.class);
        if (outcome == null) {
            return "completed";
        }
        return "rejected".equals(outcome) && reason != null ? outcome + "/" + reason : outcome;
    }

    static int status(Exchange exchange) {
        if (exchange.isFailed()) {
            return 500;
        }
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (code != null) {
            return code;
        }
        return exchange.getMessage().getBody() == null ? 204 : 200;
    }

    /** One field of up to 80 chars: a caller's id must not forge log fields or lines ({@link LogText#token}). */
    static String token(String value) {
        return LogText.token(value, MAX_ID_LENGTH);
    }

    private static boolean isWebhook(Exchange exchange) {
        Endpoint from = exchange.getFromEndpoint();
        return from != null && from.getEndpointUri().startsWith("platform-http:");
    }
}
