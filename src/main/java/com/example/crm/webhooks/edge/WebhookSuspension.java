package com.example.crm.webhooks.edge;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.engine.DefaultShutdownStrategy;
import org.apache.camel.spi.RouteStartupOrder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Camel's shutdown strategy (camel-main installs the one bean of this type), with one difference:
 * suspending a webhook's entry route pauses the webhook rather than shutting its door. Camel
 * suspends a route by suspending its consumer, and a suspended platform-http consumer answers an
 * empty 503 before any step runs: the caller's delivery would be lost (Twilio does not retry it).
 * Here the route is suspended as ever (its status, the console, JMX, a resume), but its consumer
 * keeps taking requests, so the webhook's checks still run and what passes them is held in the
 * intake spool ({@link PausedWebhooks}). Every other route, and a shutdown, is suspended as Camel does.
 */
@Component
public class WebhookSuspension extends DefaultShutdownStrategy {

    /** camel-main sets its shutdown timeout on the strategy it made before it takes this one. */
    public WebhookSuspension(@Value("${camel.main.shutdown-timeout:45}") long timeoutSeconds) {
        setTimeout(timeoutSeconds);
        setTimeUnit(TimeUnit.SECONDS);
    }

    /** Suspending routes by id (the route controller, the console): a webhook's entry route keeps its consumer. */
    @Override
    public void suspend(CamelContext context, List<RouteStartupOrder> routes, long timeout, TimeUnit timeUnit) throws Exception {
        List<RouteStartupOrder> consumersToSuspend = routes.stream()
                .filter(order -> !WebhookCatalog.GROUP.equals(order.getRoute().getGroup()))
                .toList();
        if (!consumersToSuspend.isEmpty()) {
            super.suspend(context, consumersToSuspend, timeout, timeUnit);
        }
    }
}
