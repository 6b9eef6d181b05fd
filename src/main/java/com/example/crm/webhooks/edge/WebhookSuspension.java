package com.example.crm.webhooks.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.Service;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumerAware;
import org.apache.camel.impl.engine.DefaultShutdownStrategy;
import org.apache.camel.spi.RouteStartupOrder;
import org.apache.camel.spi.ShutdownAware;
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

    /**
     * Stopping or suspending routes waits for their exchanges in flight and their consumers' pending
     * ones. A platform-http route's consumer is Camel's wrapper around the engine's, where the wait
     * does not look: the engine's counts the requests it took but has not handed to a worker yet
     * (publicport.WebhookHttpEngine), which a route stopped under them would answer 500.
     */
    @Override
    protected boolean doShutdown(CamelContext context, List<RouteStartupOrder> routes, long timeout, TimeUnit timeUnit,
                                 boolean suspendOnly, boolean abortAfterTimeout, boolean forceShutdown) throws Exception {
        return super.doShutdown(context, routes.stream().map(WebhookSuspension::withEnginesConsumer).toList(), timeout, timeUnit,
                suspendOnly, abortAfterTimeout, forceShutdown);
    }

    private static RouteStartupOrder withEnginesConsumer(RouteStartupOrder order) {
        if (!(order.getInput() instanceof PlatformHttpConsumerAware camels)
                || !(camels.getPlatformHttpConsumer() instanceof ShutdownAware)) {
            return order;
        }
        List<Service> services = new ArrayList<>(order.getServices());
        services.add(camels.getPlatformHttpConsumer());
        return new RouteStartupOrder() {
            @Override
            public int getStartupOrder() {
                return order.getStartupOrder();
            }

            @Override
            public Route getRoute() {
                return order.getRoute();
            }

            @Override
            public Consumer getInput() {
                return order.getInput();
            }

            @Override
            public List<Service> getServices() {
                return services;
            }
        };
    }
}
