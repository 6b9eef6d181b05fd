package com.example.crm.webhooks.publicport;

import com.example.crm.webhooks.refused.RefusedDeliveries;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.HealthEndpointWebExtension;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The public port ({@link PublicPortSettings}, PUBLIC_PORT): every {@code platform-http:} route,
 * that is every webhook, and health for load balancers. Vert.x serves it, not Tomcat: Camel's
 * Spring MVC engine dispatches each request twice through Tomcat, the servlet filters and the
 * DispatcherServlet. Tomcat serves
 * the management port alone (console, metrics, dead letters), behind operations.ManagementSecurity.
 * Nothing but the routes and the three health paths answers here; anything else gets a JSON 404, or
 * a 503 for a webhook whose route is not running ({@link UnservedRequests}). A port that cannot be
 * opened stops start-up ({@link PublicPortUnavailableException}).
 *
 * <p>No client can hold what the others need: connections are capped in total and per
 * address and must send their headers in time ({@link PublicConnections}, HTTP/1.1 only:
 * {@link PublicVertxServer}); a webhook's body is read on the event loop before a worker thread
 * runs its route ({@link BodyReader}, {@link WebhookHttpEngine}); health never waits for a worker
 * ({@link PublicHealth}).
 */
@Component
public class PublicHttpServer implements CamelContextConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PublicHttpServer.class);
    /** File descriptors the process needs besides the public port's connections: database, R2, jars, the management port. */
    private static final long DESCRIPTORS_BESIDES_CONNECTIONS = 512;

    private final VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
    private final PublicPortSettings settings;
    private final long maxBodyBytes;
    private final String retryAfterSeconds;
    private final HealthEndpointWebExtension health;
    private final ObjectMapper json;
    private final PublicConnections connections;
    private final BodyReader bodies;
    private final Environment environment;
    /** Looked up when first used: it needs the Camel context this configures. */
    private final ObjectProvider<RefusedDeliveries> refusedDeliveries;
    private final MeterRegistry registry;
    private PublicVertxServer server;
    private UnservedRequests unserved;

    public PublicHttpServer(PublicPortSettings settings,
                            @Value("${webhooks.max-body-bytes}") long maxBodyBytes,
                            @Value("${webhooks.body-timeout}") Duration bodyTimeout,
                            @Value("${webhooks.retry-after-seconds}") String retryAfterSeconds,
                            HealthEndpointWebExtension health, ObjectMapper json, MeterRegistry registry, Environment environment,
                            ObjectProvider<RefusedDeliveries> refusedDeliveries) {
        this.settings = settings;
        this.refusedDeliveries = refusedDeliveries;
        this.registry = registry;
        this.environment = environment;
        configuration.setBindPort(settings.port());
        configuration.setBindHost(settings.host());
        configuration.setMaxBodySize(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
        this.retryAfterSeconds = retryAfterSeconds;
        this.health = health;
        this.json = json;
        this.connections = new PublicConnections(settings.maxConnections(), settings.maxConnectionsPerAddress(),
                settings.headerTimeout(), settings.idleTimeout(), registry);
        this.bodies = new BodyReader(maxBodyBytes, bodyTimeout, settings.bodyBufferBytes(), registry);
        warnWhenDescriptorsRunShort(settings.maxConnections());
    }

    /** The port it listens on (a free one when configured as 0, as in tests). */
    public int port() {
        if (server == null || !server.listening()) {
            throw new IllegalStateException("the public HTTP server has not started");
        }
        return server.port();
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        // The engine finds the port of its router through this configuration (port 0: any free one).
        camelContext.getRegistry().bind("publicHttpServerConfiguration", configuration);
        unserved = new UnservedRequests(camelContext, bodies, this::readyForTheRoute, (delivery, status, message) ->
                refusedDeliveries.getObject().keepDelivery(delivery, status, message, false), retryAfterSeconds, registry);
        Handler<RoutingContext> beforeTheRoute = context -> {
            if (readyForTheRoute(context)) {
                context.next();
            }
        };
        WebhookHttpEngine engine = new WebhookHttpEngine(bodies, maxBodyBytes, List.of(beforeTheRoute), unserved::awaitRoute);
        camelContext.getComponent("platform-http", PlatformHttpComponent.class).setEngine(engine);
        server = new PublicVertxServer(configuration, settings, connections, this::everyRequest);
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
        // A thread for each of the three, never a worker's (PublicHealth).
        PublicHealth answers = new PublicHealth(health, json,
                camelContext.getExecutorServiceManager().newFixedThreadPool(this, "public-health", 3));
        router.get("/actuator/health").handler(answers.handler());
        router.get("/livez").handler(answers.handler("liveness"));
        router.get("/readyz").handler(answers.handler("readiness"));
        unserved.install(router);
        sayWhereItListens();
    }

    /**
     * One line that says where to send webhooks and where the operator's port is, once both listen
     * (Tomcat's own line names only the management port, and Vert.x's none).
     */
    private void sayWhereItListens() {
        log.info("Listening: webhooks and public health on http://{}:{} (PUBLIC_PORT), management (console, metrics, "
                + "actuator) on port {} (MANAGEMENT_SERVER_PORT)", settings.host(), port(),
                environment.getProperty("local.server.port", "none"));
    }

    /**
     * Every 503 on the port tells the caller when to come back: Camel's own, for a route an operator
     * suspended or one stopping at shutdown, has no Retry-After, nor has the body reader's or health's.
     */
    private void everyRequest(RoutingContext context) {
        context.addHeadersEndHandler(sending -> {
            if (context.response().getStatusCode() == 503 && !context.response().headers().contains(HttpHeaders.RETRY_AFTER)) {
                context.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
            }
        });
        context.next();
    }

    /**
     * Runs on the event loop before a webhook request reaches its route (first on the route, or before
     * it waits for one: {@link UnservedRequests}); false when it answered. A query string Vert.x
     * cannot decode (a bad {@code %} escape) would fail inside Camel's binding with an error log: it
     * gets the routes' 400 here instead. Once the answer is out, whatever of the body is left unread
     * is read past or the connection closed ({@link BodyReader#afterTheAnswer}).
     */
    private boolean readyForTheRoute(RoutingContext context) {
        context.addEndHandler(answered -> {
            if (answered.succeeded()) {
                bodies.afterTheAnswer(context);
            }
        });
        try {
            context.queryParams();
        } catch (RuntimeException malformed) {
            context.response()
                    .setStatusCode(400)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end("{\"error\":\"malformed query string\"}");
            return false;
        }
        return true;
    }

    /** Each connection is a file descriptor: a cap the process cannot reach makes "Too many open files" instead. */
    private static void warnWhenDescriptorsRunShort(int maxConnections) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                && unix.getMaxFileDescriptorCount() < maxConnections + DESCRIPTORS_BESIDES_CONNECTIONS) {
            log.warn("PUBLIC_MAX_CONNECTIONS is {} but the process may open only {} files: raise its limit (ulimit -n) "
                    + "or lower PUBLIC_MAX_CONNECTIONS", maxConnections, unix.getMaxFileDescriptorCount());
        }
    }
}
