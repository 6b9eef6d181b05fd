package com.example.crm.webhooks.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpointWebExtension;
import org.springframework.stereotype.Component;

/**
 * The public port ({@code webhooks.http.port}, PUBLIC_PORT): every {@code platform-http:} route,
 * that is every webhook, and health for load balancers. Vert.x serves it, not Tomcat: Camel's
 * Spring MVC engine dispatched each request twice through Tomcat, the servlet filters and the
 * DispatcherServlet, and cost about twice the CPU per request (bench/RESULTS.md). Tomcat serves
 * the management port alone (console, metrics, dead letters), behind operations.ManagementSecurity.
 * Nothing but the routes and the three health paths answers here; anything else gets a JSON 404, or
 * a 503 for a webhook whose route is not running ({@link UnservedRequests}). A port that cannot be
 * opened stops start-up ({@link PublicPortUnavailableException}).
 */
@Component
public class PublicHttpServer implements CamelContextConfiguration {

    private final VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
    private final long maxUnreadBytes;
    private final String retryAfterSeconds;
    private final HealthEndpointWebExtension health;
    private final ObjectMapper json;
    private VertxPlatformHttpServer server;
    private UnservedRequests unserved;

    public PublicHttpServer(@Value("${webhooks.http.port}") int port,
                            @Value("${webhooks.http.host}") String host,
                            @Value("${webhooks.max-body-bytes}") long maxBodyBytes,
                            @Value("${webhooks.retry-after-seconds}") String retryAfterSeconds,
                            HealthEndpointWebExtension health, ObjectMapper json) {
        configuration.setBindPort(port);
        configuration.setBindHost(host);
        configuration.setMaxBodySize(maxBodyBytes);
        // A rejected request's unread body is read past and dropped up to this much, to keep the connection.
        this.maxUnreadBytes = 2 * maxBodyBytes;
        this.retryAfterSeconds = retryAfterSeconds;
        this.health = health;
        this.json = json;
    }

    /** The port it listens on (a free one when configured as 0, as in tests). */
    public int port() {
        if (server == null || server.getServer() == null) {
            throw new IllegalStateException("the public HTTP server has not started");
        }
        return server.getPort();
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        // The engine finds the port of its router through this configuration (port 0: any free one).
        camelContext.getRegistry().bind("publicHttpServerConfiguration", configuration);
        unserved = new UnservedRequests(camelContext, retryAfterSeconds);
        VertxPlatformHttpEngine engine = unserved.engine(List.of(this::beforeTheRoute));
        camelContext.getComponent("platform-http", PlatformHttpComponent.class).setEngine(engine);
        server = new ListeningServer(configuration);
        try {
            camelContext.addService(server, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the public HTTP server on port " + configuration.getBindPort(), e);
        }
    }

    /** The server starts with the context, before its routes; health joins them. */
    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        Router router = VertxPlatformHttpRouter.lookup(camelContext,
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getBindPort()));
        // Health asks the database: off the event loop.
        router.get("/actuator/health").blockingHandler(context -> health(context, new String[0]), false);
        router.get("/livez").blockingHandler(context -> health(context, "liveness"), false);
        router.get("/readyz").blockingHandler(context -> health(context, "readiness"), false);
        unserved.install((Router) server.getServer().requestHandler());
    }

    /**
     * Runs on the event loop before a request reaches its route. A query string Vert.x cannot decode
     * (a bad {@code %} escape) would fail inside Camel's binding with an error log: it gets the
     * routes' 400 here instead. Routes read the body themselves (useBodyHandler=false), and one
     * rejected early (415, 413 by Content-Length, 403) leaves it unread: the caller may still be
     * sending it and the connection could serve no further request. Once the answer is out, the
     * rest is read and dropped; past {@link #maxUnreadBytes}, or after a 408, the connection is
     * closed instead. Every 503 tells the caller when to come back: Camel's own, for a route an
     * operator suspended or one stopping at shutdown, has no Retry-After.
     */
    private void beforeTheRoute(RoutingContext context) {
        HttpServerRequest request = context.request();
        context.addHeadersEndHandler(sending -> {
            if (context.response().getStatusCode() == 503 && !context.response().headers().contains(HttpHeaders.RETRY_AFTER)) {
                context.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
            }
        });
        context.addEndHandler(answered -> {
            if (request.isEnded()) {
                return;
            }
            if (context.response().getStatusCode() == 408) {
                request.connection().close(); // too slow to wait for
                return;
            }
            long[] dropped = {0};
            request.handler(chunk -> {
                dropped[0] += chunk.length();
                if (dropped[0] > maxUnreadBytes) {
                    request.connection().close();
                }
            });
            request.resume();
        });
        try {
            context.queryParams();
        } catch (RuntimeException malformed) {
            context.response()
                    .setStatusCode(400)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"error\":\"malformed query string\"}");
            return;
        }
        context.next();
    }

    /**
     * Camel's Vert.x server, but its start fails when it cannot open its port. Camel's own logs a
     * failed listen (the port taken) from inside Vert.x's callback, where the exception it throws
     * reaches no caller, and starts without a port.
     */
    private static final class ListeningServer extends VertxPlatformHttpServer {

        private final VertxPlatformHttpServerConfiguration configuration;

        ListeningServer(VertxPlatformHttpServerConfiguration configuration) {
            super(configuration);
            this.configuration = configuration;
        }

        @Override
        protected void doStart() throws Exception {
            if (configuration.getBindPort() != 0) {
                // The same bind Vert.x is about to do (it reuses addresses too), where its failure reaches us.
                try (ServerSocket probe = new ServerSocket()) {
                    probe.setReuseAddress(true);
                    probe.bind(new InetSocketAddress(configuration.getBindHost(), configuration.getBindPort()));
                } catch (IOException e) {
                    throw new PublicPortUnavailableException(configuration.getBindHost(), configuration.getBindPort(), e);
                }
            }
            super.doStart();
            // Should the port be taken in between: Vert.x marks a server whose listen failed as not listening.
            if (!(getServer() instanceof TCPServerBase listening) || !listening.isListening()) {
                throw new PublicPortUnavailableException(configuration.getBindHost(), configuration.getBindPort(), null);
            }
        }
    }

    /** The actuator's own answer for the server namespace: same status codes (DOWN is 503), no details. */
    private void health(RoutingContext context, String... group) {
        WebEndpointResponse<HealthComponent> answer = health.health(ApiVersion.V3, WebServerNamespace.SERVER, SecurityContext.NONE, group);
        String body;
        try {
            body = answer.getBody() == null ? "" : json.writeValueAsString(answer.getBody());
        } catch (JsonProcessingException e) {
            context.fail(e);
            return;
        }
        context.response()
                .setStatusCode(answer.getStatus())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body);
    }
}
