package com.example.crm.webhooks.publicport;

import com.example.crm.webhooks.edge.ReceivedBody;
import com.example.crm.webhooks.edge.WebhookDelivery;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumerAware;

/**
 * The public port's answers to requests no started route takes, in the JSON every other error
 * there has ({@code {"error": "..."}}), never Vert.x's HTML page or Camel's empty 503:
 * <ul>
 * <li>a webhook path whose route is not serving: its consumer suspended while the route stops,
 *     or the route stopped or gone. A route file being reloaded does that to each of its routes
 *     for a moment, so the request's body is read and the request waits up to {@link #HOLD} for a
 *     started route of its path, then goes to that route's consumer as if it had just arrived.
 *     Past the wait (an operator stopped the webhook in the console), or at once while the service
 *     shuts down: 503 with Retry-After, and readiness is DOWN meanwhile
 *     (operations.WebhookRoutesHealthIndicator); a whole body answered so is kept as a refused
 *     delivery, for an operator to replay. A route an operator suspends keeps its consumer and
 *     holds its deliveries instead (edge.WebhookSuspension, edge.PausedWebhooks);</li>
 * <li>any other path: 404; a known path with another method: 405.</li>
 * </ul>
 * A webhook path is the path of a {@code platform-http} route the service has, or had since it started.
 * A waiting request holds what it held already, its connection and its read body, both bounded for
 * every client ({@link PublicConnections}, {@link BodyReader}), and no thread.
 */
final class UnservedRequests {

    /** A reload replaces a route in well under a second; Twilio gives up on a delivery after 15 s in all. */
    static final Duration HOLD = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 20;
    private static final String UNAVAILABLE = "webhook unavailable, retry later";

    private final CamelContext camelContext;
    private final BodyReader bodies;
    /** What runs before a webhook's route (PublicHttpServer): false when it answered. */
    private final Predicate<RoutingContext> readyForTheRoute;
    private final UnservedDeliveries unservedDeliveries;
    private final String retryAfterSeconds;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Each webhook path, and the id of the route that serves (or served) it. */
    private final Map<String, String> webhookPaths = new ConcurrentHashMap<>();

    UnservedRequests(CamelContext camelContext, BodyReader bodies, Predicate<RoutingContext> readyForTheRoute,
                     UnservedDeliveries unservedDeliveries, String retryAfterSeconds, MeterRegistry registry) {
        this.camelContext = camelContext;
        this.bodies = bodies;
        this.readyForTheRoute = readyForTheRoute;
        this.unservedDeliveries = unservedDeliveries;
        this.retryAfterSeconds = retryAfterSeconds;
        Gauge.builder("public.http.requests.waiting", waiting, AtomicInteger::get)
                .description("Webhook requests waiting for their route, which is being replaced (a route file reload) or stopped")
                .register(registry);
    }

    /** Where a webhook's delivery goes when no route of its path can take it (refused.RefusedDeliveries keeps it). */
    @FunctionalInterface
    interface UnservedDeliveries {
        void keep(WebhookDelivery delivery, int status, String message);
    }

    /** Answers, on the public port's {@code router}, every request none of its routes matched. */
    void install(Router router) {
        rememberWebhookPaths();
        router.errorHandler(404, this::noRoute);
        router.errorHandler(405, context -> answer(context, 405, "method not allowed"));
    }

    private void noRoute(RoutingContext context) {
        rememberWebhookPaths(); // routes added since start-up
        if (webhookPaths.containsKey(context.normalizedPath())) {
            if (readyForTheRoute.test(context)) {
                awaitRoute(context);
            }
        } else {
            answer(context, 404, "not found");
        }
    }

    /**
     * A request to a webhook path whose route is not serving now (WebhookHttpEngine's gate sends the
     * requests of a suspended consumer here): it waits for a started route of its path, its body read
     * meanwhile, or is answered 503.
     */
    void awaitRoute(RoutingContext context) {
        if (!camelContext.isStarted()) {
            unavailable(context); // shutting down: no route comes back
            return;
        }
        Instant arrived = Instant.now();
        long deadline = System.nanoTime() + HOLD.toNanos();
        Waiting wait = new Waiting(arrived, deadline);
        context.addEndHandler(answered -> wait.over());
        bodies.read(context, body -> poll(context, wait));
    }

    private void poll(RoutingContext context, Waiting wait) {
        if (context.response().ended() || context.response().closed()) {
            return;
        }
        String path = context.normalizedPath();
        WebhookHttpEngine.ReadingConsumer serving = serving(path);
        if (serving != null) {
            wait.over();
            serving.take(context);
        } else if (System.nanoTime() - wait.deadline >= 0 || !camelContext.isStarted()) {
            wait.over();
            keep(context, path, wait.arrived);
            unavailable(context);
        } else {
            context.vertx().setTimer(POLL_MILLIS, fired -> poll(context, wait));
        }
    }

    /** One request waiting, counted in the gauge until it is taken or answered; event-loop confined. */
    private final class Waiting {
        private final Instant arrived;
        private final long deadline;
        private boolean counted = true;

        Waiting(Instant arrived, long deadline) {
            this.arrived = arrived;
            this.deadline = deadline;
            waiting.incrementAndGet();
        }

        void over() {
            if (counted) {
                counted = false;
                waiting.decrementAndGet();
            }
        }
    }

    /** The consumer of the started route that serves the path, taking requests; null when there is none. */
    private WebhookHttpEngine.ReadingConsumer serving(String path) {
        for (Route route : camelContext.getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint endpoint && path.equals(endpoint.getPath())
                    && route.getConsumer() instanceof PlatformHttpConsumerAware camels
                    && camels.getPlatformHttpConsumer() instanceof WebhookHttpEngine.ReadingConsumer consumer && consumer.isStarted()
                    && camelContext.getRouteController().getRouteStatus(route.getRouteId()).isStarted()) {
                return consumer;
            }
        }
        return null;
    }

    /** The whole body of a request its webhook did not take, as received, for an operator to replay. */
    private void keep(RoutingContext context, String path, Instant arrived) {
        ReceivedBody body = BodyReader.received(context);
        String webhook = webhookPaths.get(path);
        if (body == null || body.outcome() != ReceivedBody.Outcome.COMPLETE || webhook == null) {
            return;
        }
        WebhookDelivery delivery = WebhookDelivery.received(webhook, context.request(), body.bytes(), arrived);
        // Kept off the event loop: writing it may wait for the database or the spool.
        context.vertx().executeBlocking(() -> {
            unservedDeliveries.keep(delivery, 503, UNAVAILABLE);
            return null;
        }, false);
    }

    /** The answer for a request to a webhook no route serves. */
    void unavailable(RoutingContext context) {
        context.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        answer(context, 503, UNAVAILABLE);
    }

    private void rememberWebhookPaths() {
        for (Route route : camelContext.getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint endpoint) {
                webhookPaths.put(endpoint.getPath(), route.getRouteId());
            }
        }
    }

    private static void answer(RoutingContext context, int status, String error) {
        context.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\":\"" + error + "\"}");
    }
}
