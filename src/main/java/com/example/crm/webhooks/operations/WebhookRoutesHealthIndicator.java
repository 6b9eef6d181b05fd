package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.edge.PausedWebhooks;
import com.example.crm.webhooks.edge.WebhookCatalog;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckRegistry;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
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

    /**
     * Camel's own route and consumer checks count a paused webhook (its entry or store route
     * suspended) DOWN, which would make /actuator/health DOWN while the webhook holds as it should:
     * this component judges the webhook routes instead, so theirs are left out, for every webhook as
     * it appears (a reloaded or added one included).
     */
    @EventListener(ApplicationReadyEvent.class)
    public void judgeWebhookRoutesHere() {
        webhooks.onWebhook(this::leaveOutCamelsChecks);
    }

    private synchronized void leaveOutCamelsChecks(String webhook) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(camelContext);
        if (registry == null) {
            return;
        }
        Set<String> patterns = new LinkedHashSet<>();
        if (registry.getExcludePattern() != null && !registry.getExcludePattern().isBlank()) {
            patterns.addAll(List.of(registry.getExcludePattern().split(",")));
        }
        patterns.add("route:" + webhook);
        patterns.add("consumer:" + webhook);
        webhooks.webhook(webhook).map(WebhookCatalog.Webhook::store).ifPresent(store -> {
            patterns.add("route:" + store);
            patterns.add("consumer:" + store);
        });
        registry.setExcludePattern(String.join(",", patterns));
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
