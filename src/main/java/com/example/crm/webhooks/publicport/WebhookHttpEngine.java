package com.example.crm.webhooks.publicport;

import com.example.crm.webhooks.edge.WebhookCatalog;
import com.example.crm.webhooks.edge.WebhookRequests;
import com.example.crm.webhooks.edge.ReceivedBody;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.springframework.http.MediaType;

/**
 * Camel's Vert.x engine for {@code platform-http:} routes, whose consumer reads a request's body
 * ({@link BodyReader}, on the event loop) before it hands the request to a worker thread. Camel's
 * own consumer, with {@code useBodyHandler=false}, hands the request over unread (paused, as the
 * message body) and the route read it on the worker, which then waited for a slow body.
 *
 * <p>A body the route will refuse unread is not read: a webhook declares how its body is read
 * (form or json, its template parameter {@code body}, {@link WebhookCatalog}), and a request with
 * another content type (415) or a Content-Length past the limit (413) goes to its route at once;
 * what is left of the body is read past after the answer. A route that is no webhook gets every
 * body read. A suspended route's request gets {@link UnservedRequests}' JSON 503, not Camel's empty one.
 */
class WebhookHttpEngine extends VertxPlatformHttpEngine {

    private final BodyReader bodies;
    private final long maxBodyBytes;
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
        return new ReadingConsumer(endpoint, processor, getHandlers(),
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }

    private final class ReadingConsumer extends VertxPlatformHttpConsumer {

        /** The content type the webhook declares it takes, once known; empty when the route is no webhook. */
        private volatile Optional<MediaType> takes;

        ReadingConsumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers, String routerName) {
            super(endpoint, processor, handlers, routerName);
        }

        @Override
        protected void handleRequest(RoutingContext context) {
            if (isSuspended()) {
                suspended.handle(context);
                return;
            }
            if (!wantsBody(context)) {
                super.handleRequest(context); // the route refuses it unread
                return;
            }
            bodies.read(context, received -> super.handleRequest(context));
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
         * edge.WebhookCatalog), looked up at the first request, when every route has started: this
         * consumer serves its route for Camel's own platform-http consumer, which has the route's
         * id, so the route is found by its endpoint. Null for a route that is no webhook.
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
