package com.example.crm.webhooks.operations;

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
 * ({@link WebhookCatalog}) is not started, stopped or suspended by an operator in the console, or
 * gone (a route file reloaded without it). Such an instance answers that webhook 503 (publicport.UnservedRequests),
 * so a load balancer should send the webhooks elsewhere. Details: each route's status.
 */
@Component
public class WebhookRoutesHealthIndicator implements HealthIndicator {

    private final CamelContext camelContext;
    private final WebhookCatalog webhooks;

    public WebhookRoutesHealthIndicator(CamelContext camelContext, WebhookCatalog webhooks) {
        this.camelContext = camelContext;
        this.webhooks = webhooks;
    }

    @Override
    public Health health() {
        Map<String, String> routes = new LinkedHashMap<>();
        boolean allStarted = true;
        for (String id : webhooks.ids()) {
            ServiceStatus status = camelContext.getRouteController().getRouteStatus(id);
            routes.put(id, status == null ? "Missing" : status.name());
            allStarted &= status == ServiceStatus.Started;
        }
        return (allStarted ? Health.up() : Health.down()).withDetails(routes).build();
    }
}
