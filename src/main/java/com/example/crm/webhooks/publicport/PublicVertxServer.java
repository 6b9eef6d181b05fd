package com.example.crm.webhooks.publicport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The public port's Vert.x HTTP server, a Camel service that starts before the routes: it makes the
 * router Camel's {@code platform-http} consumers add their routes to (a {@link VertxPlatformHttpRouter},
 * bound in the registry under the name Camel's engine looks up for the port), and serves it with
 * the options of a public port, which Camel's own server (it makes its {@code HttpServerOptions}
 * itself, with Vert.x's defaults) has no setting for:
 * <ul>
 *   <li>HTTP/1.1 only: no cleartext HTTP/2 (h2c, by upgrade or prior knowledge), which let one
 *       connection carry any number of slow requests, a 408 then closing them all; Twilio and
 *       Reverse Contact call over HTTP/1.1;</li>
 *   <li>the connection caps and header and idle deadlines of {@link PublicConnections}, and Vert.x's
 *       own idle timeout as a backstop, at twice the idle timeout: a connection on which nothing at all
 *       moves for that long is closed, whatever it is doing (a client that stops reading its answer);</li>
 *   <li>a request whose framing is ambiguous (Content-Length with Transfer-Encoding, say) answered
 *       400 and its connection closed ({@link MalformedRequests});</li>
 *   <li>a worker pool of the configured size (PUBLIC_WORKER_THREADS), which runs the routes.</li>
 * </ul>
 * A port it cannot open stops start-up ({@link PublicPortUnavailableException}); Camel's server only
 * logs it. TLS is the load balancer's or proxy's: the port serves plain HTTP.
 */
final class PublicVertxServer extends ServiceSupport implements CamelContextAware {

    private static final long START_STOP_TIMEOUT_SECONDS = 30;

    private final VertxPlatformHttpServerConfiguration configuration;
    private final PublicPortSettings settings;
    private final PublicConnections connections;
    private final Handler<RoutingContext> everyRequest;
    private CamelContext camelContext;
    private Vertx vertx;
    private volatile HttpServer server;

    /** {@code everyRequest} runs first for every request on the port, before any route. */
    PublicVertxServer(VertxPlatformHttpServerConfiguration configuration, PublicPortSettings settings, PublicConnections connections,
                      Handler<RoutingContext> everyRequest) {
        this.configuration = configuration;
        this.settings = settings;
        this.connections = connections;
        this.everyRequest = everyRequest;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    protected void doStart() {
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(settings.workerThreads()));
        Router router = Router.router(vertx);
        // Before any route: every request on the port keeps its connection busy until it is answered.
        router.route().handler(connections::requestArrived).handler(MalformedRequests::onlyChunked).handler(everyRequest);
        String routerName = VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getBindPort());
        camelContext.getRegistry().bind(routerName, new VertxPlatformHttpRouter(null, vertx, router, routerName) {
            /** Only for a route that asks Camel to read its body (useBodyHandler): within the size limit, as Camel's own server does. */
            @Override
            public Handler<RoutingContext> bodyHandler() {
                return BodyHandler.create().setBodyLimit(configuration.getMaxBodySize());
            }
        });
        HttpServerOptions options = new HttpServerOptions()
                .setHttp2ClearTextEnabled(false)
                .setAlpnVersions(List.of(HttpVersion.HTTP_1_1))
                .setIdleTimeout((int) Math.max(1, 2 * settings.idleTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        HttpServer httpServer = vertx.createHttpServer(options)
                .connectionHandler(connections)
                .invalidRequestHandler(MalformedRequests::refuse)
                .requestHandler(router);
        try {
            server = await(httpServer.listen(configuration.getBindPort(), configuration.getBindHost()), "open the public port");
        } catch (IllegalStateException e) {
            closeVertx();
            // The port taken, say: start-up stops rather than run without webhooks.
            throw new PublicPortUnavailableException(configuration.getBindHost(), configuration.getBindPort(),
                    e.getCause() instanceof ExecutionException failed && failed.getCause() instanceof Exception cause ? cause : e);
        }
    }

    @Override
    protected void doStop() {
        try {
            if (server != null) {
                // As Camel's server does: the component goes with its server, to be made afresh on a restart.
                camelContext.removeComponent(PlatformHttpConstants.PLATFORM_HTTP_COMPONENT_NAME);
                await(server.close(), "close the public HTTP server");
            }
        } finally {
            server = null;
            closeVertx();
        }
    }

    private void closeVertx() {
        if (vertx == null) {
            return;
        }
        try {
            await(vertx.close(), "close the public port's Vert.x");
        } finally {
            vertx = null;
        }
    }

    /** Waits, on Camel's start or stop (never an event loop), for what Vert.x does on its own threads. */
    private static <T> T await(Future<T> done, String what) {
        try {
            return done.toCompletionStage().toCompletableFuture().get(START_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not " + what, e);
        }
    }

    /** Whether it listens now. */
    boolean listening() {
        return server != null;
    }

    /** The port it listens on (a free one when configured as 0), or the configured one before it does. */
    int port() {
        HttpServer listening = server;
        return listening != null ? listening.actualPort() : configuration.getBindPort();
    }
}
