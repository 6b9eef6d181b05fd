package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.edge.PausedWebhooks;
import com.example.crm.webhooks.edge.WebhookCatalog;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code webhookRoutes}, part of readiness: DOWN while any webhook route
 * ({@link WebhookCatalog}) is not started, stopped by an operator in the console, or gone (a route
 * file reloaded without it). Such an instance answers that webhook 503 (publicport.UnservedRequests),
 * so a load balancer should send the webhooks elsewhere. A suspended webhook route is paused, not
 * gone: it still answers, holding its deliveries in the intake spool ({@link PausedWebhooks}), and
 * readiness stays UP. Details: each route's status, and {@code paused}, the webhooks that hold.
 */
@Component
public class WebhookRoutesHealthIndicator implements HealthIndicator {

    private final CamelContext camelContext;
    private final WebhookCatalog webhooks;
    private final PausedWebhooks paused;

    public WebhookRoutesHealthIndicator(CamelContext camelContext, WebhookCatalog webhooks, PausedWebhooks paused) {
        this.camelContext = camelContext;
        this.webhooks = webhooks;
        this.paused = paused;
    }

    @Override
    public Health health() {
        Map<String, Object> routes = new LinkedHashMap<>();
        boolean allAnswer = true;
        for (String id : webhooks.ids()) {
            ServiceStatus status = camelContext.getRouteController().getRouteStatus(id);
            routes.put(id, status == null ? "Missing" : status.name());
            allAnswer &= status == ServiceStatus.Started || status == ServiceStatus.Suspended;
        }
        routes.put("paused", paused.holding());
        return (allAnswer ? Health.up() : Health.down()).withDetails(routes).build();
    }
}
