package com.example.crm.webhooks.edge;

import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * The step right after a webhook's reader: names the delivery in the webhook's log line by the
 * {@code deliveryId} of the fields the reader returned (MessageSid, subscriptionId, type:id).
 * A processor rather than a {@code setProperty} with {@code ${body[deliveryId]}}: Camel's simple
 * language builds a bean expression for a map key on every evaluation.
 */
@Component("logDeliveryId")
public class LogDeliveryId implements Processor {

    /** The key readers give the delivery's id under. */
    public static final String KEY = "deliveryId";

    @Override
    public void process(Exchange exchange) {
        if (exchange.getMessage().getBody() instanceof Map<?, ?> fields && fields.get(KEY) instanceof String id) {
            WebhookOutcomeLog.name(exchange, id);
        }
    }
}
