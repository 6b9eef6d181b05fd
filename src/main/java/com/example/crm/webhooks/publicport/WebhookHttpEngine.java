package com.example.crm.webhooks.publicport;

import com.example.crm.webhooks.edge.ReceivedBody;
import com.example.crm.webhooks.edge.WebhookCatalog;
import com.example.crm.webhooks.edge.WebhookRequests;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.SuspendableService;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.springframework.http.MediaType;

/**
 * Camel's Vert.x engine for {@code platform-http:} routes, where a request's body is read
 * ({@link BodyReader}, on the event loop) before the request is handed to a worker thread. Camel's
 * own consumer, with {@code useBodyHandler=false}, hands the request over unread (paused, as the
 * message body) and the route read it on the worker, which then waited for a slow body.
 *
 * <p>Each route's consumer is Camel's, with a {@link Gate} of its own as the last of the handlers
 * Camel runs on the route before it hands the request on: the gate hands the request of a route
 * whose consumer is suspended (Camel suspends it while a stopping route's exchanges finish: a stop, a
 * reload, the shutdown; an operator's suspend leaves a webhook's consumer running,
 * edge.WebhookSuspension) to {@link UnservedRequests}, where it waits for the route that replaces
 * it (not Camel's empty 503), and reads the body first.
 * A body the route will refuse unread is not read: a webhook declares how its body is read (form
 * or json, its template parameter {@code body}, {@link WebhookCatalog}), and a request with another
 * content type (415) or a Content-Length past the limit (413) goes to its route at once; what is left
 * of the body is read past after the answer. A route that is no webhook gets every body read.
 *
 * <p>Two of Camel's methods are overridden, each pinned by {@code CamelExtensionPointsTest}:
 * {@link #createConsumer}, the engine's SPI, and the consumer's {@code populateCamelMessage}, the one
 * place a message's body can be set to what was read (Camel 4.17 has no option for it).
 */
class WebhookHttpEngine extends VertxPlatformHttpEngine {

    private final BodyReader bodies;
    private final long maxBodyBytes;
    /** Where the request of a suspended consumer goes. */
    private final Handler<RoutingContext> suspended;

    WebhookHttpEngine(BodyReader bodies, long maxBodyBytes, List<Handler<RoutingContext>> handlers,
                      Handler<RoutingContext> suspended) {
        this.bodies = bodies;
        this.maxBodyBytes = maxBodyBytes;
        this.suspended = suspended;
        setHandlers(handlers);
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        List<Handler<RoutingContext>> handlers = new ArrayList<>(getHandlers());
        handlers.add(new Gate(endpoint));
        return new ReadingConsumer(endpoint, processor, handlers, VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()), suspended);
    }

    /**
     * Camel's consumer, giving the route the body its gate read in place of the unread request, and
     * counting the requests it took that are not answered yet as pending: Camel makes a request's
     * exchange on the event loop but counts it in flight only once a worker runs it, so a reload
     * stopped a route under the requests still waiting for a worker, and they answered 500. Camel's
     * shutdown strategy waits for a consumer's pending exchanges too (edge.WebhookSuspension shows
     * it this one).
     */
    static final class ReadingConsumer extends VertxPlatformHttpConsumer implements ShutdownAware {

        private final AtomicInteger unanswered = new AtomicInteger();
        private final Handler<RoutingContext> suspended;

        ReadingConsumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers, String routerName,
                        Handler<RoutingContext> suspended) {
            super(endpoint, processor, handlers, routerName);
            this.suspended = suspended;
        }

        /** A request reaches Camel: counted first, so a stop that began meanwhile either sees it or is seen here. */
        @Override
        protected void handleRequest(RoutingContext context) {
            unanswered.incrementAndGet();
            if (!isStarted()) {
                unanswered.decrementAndGet();
                suspended.handle(context); // suspended while its body arrived: it waits for the route, as at the gate
                return;
            }
            context.addEndHandler(answered -> unanswered.decrementAndGet());
            super.handleRequest(context);
        }

        /**
         * A request that waited for this route (it arrived while the route it matched was being
         * replaced, {@link UnservedRequests}), its body read: to Camel as if it had just arrived here.
         * Not through the router, which routes a request among the routes it had when it arrived.
         */
        void take(RoutingContext context) {
            handleRequest(context);
        }

        @Override
        public int getPendingExchangesSize() {
            return unanswered.get();
        }

        @Override
        public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
            return false;
        }

        @Override
        public void prepareShutdown(boolean suspendOnly, boolean forced) {
        }

        /** The message as Camel makes it, with the body read by {@link BodyReader} in place of the unread request. */
        @Override
        protected Future<Void> populateCamelMessage(RoutingContext context, Exchange exchange, Message message) {
            Future<Void> populated = super.populateCamelMessage(context, exchange, message);
            ReceivedBody received = BodyReader.received(context);
            if (received != null) {
                message.setBody(received);
            }
            return populated;
        }
    }

    /** One route's last handler before Camel's: a suspended route's request handed on, or the body read first. */
    private final class Gate implements Handler<RoutingContext> {

        private final PlatformHttpEndpoint endpoint;
        /** The content type the webhook declares it takes, once known; empty when the route is no webhook. */
        private volatile Optional<MediaType> takes;
        /** The route's consumer, once known: Camel suspends a route by suspending it. */
        private volatile Consumer consumer;

        Gate(PlatformHttpEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void handle(RoutingContext context) {
            if (isSuspended()) {
                suspended.handle(context);
                return;
            }
            if (!wantsBody(context)) {
                context.next(); // the route refuses it unread
                return;
            }
            bodies.read(context, received -> context.next());
        }

        private PlatformHttpEndpoint getEndpoint() {
            return endpoint;
        }

        private boolean isSuspended() {
            if (consumer == null) {
                CamelContext camel = getEndpoint().getCamelContext();
                consumer = camel.getRoutes().stream()
                        .filter(candidate -> candidate.getEndpoint() == getEndpoint())
                        .map(Route::getConsumer)
                        .findFirst().orElse(null);
            }
            return consumer instanceof SuspendableService service && service.isSuspended();
        }

        private boolean wantsBody(RoutingContext context) {
            if (takes == null) {
                takes = Optional.ofNullable(declaredContentType());
            }
            if (takes.isEmpty()) {
                return true;
            }
            if (!WebhookRequests.takes(takes.get(), context.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
                return false;
            }
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            try {
                return length == null || Long.parseLong(length.trim()) <= maxBodyBytes;
            } catch (NumberFormatException e) {
                return false; // the route answers 400
            }
        }

        /**
         * The content type the webhook declares it reads (its template parameter {@code body},
         * edge.WebhookCatalog), looked up at the first request, when every route has started. Null
         * for a route that is no webhook.
         */
        private MediaType declaredContentType() {
            CamelContext camel = getEndpoint().getCamelContext();
            return camel.getRoutes().stream()
                    .filter(candidate -> candidate.getEndpoint() == getEndpoint())
                    .findFirst()
                    .flatMap(route -> WebhookCatalog.webhook(camel, route.getRouteId()))
                    .map(webhook -> webhook.body().mediaType())
                    .orElse(null);
        }
    }
}
