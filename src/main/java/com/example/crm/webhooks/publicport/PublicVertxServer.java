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
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

/**
 * Camel's Vert.x server for the {@code platform-http:} routes, with the options of a public port
 * that Camel's own leaves at Vert.x's defaults (it makes its {@code HttpServerOptions} itself):
 * <ul>
 *   <li>HTTP/1.1 only: no cleartext HTTP/2 (h2c, by upgrade or prior knowledge), which let one
 *       connection carry any number of slow requests, a 408 then closing them all; Twilio and
 *       Reverse Contact call over HTTP/1.1;</li>
 *   <li>the connection caps and header and idle deadlines of {@link PublicConnections}, and Vert.x's
 *       own idle timeout as a backstop, at twice the idle timeout: a connection on which nothing at all
 *       moves for that long is closed, whatever it is doing (a client that stops reading its answer);</li>
 *   <li>a worker pool of the configured size (PUBLIC_WORKER_THREADS), which runs the routes.</li>
 * </ul>
 * A port it cannot open stops start-up ({@link PublicPortUnavailableException}). TLS is the load
 * balancer's or proxy's: the port serves plain HTTP.
 */
final class PublicVertxServer extends VertxPlatformHttpServer {

    private static final long START_STOP_TIMEOUT_SECONDS = 30;

    private final VertxPlatformHttpServerConfiguration configuration;
    private final PublicPortSettings settings;
    private final PublicConnections connections;
    private final Handler<RoutingContext> everyRequest;
    private HttpServer server;
    private Vertx created;

    /** {@code everyRequest} runs first for every request on the port, before any route. */
    PublicVertxServer(VertxPlatformHttpServerConfiguration configuration, PublicPortSettings settings, PublicConnections connections,
                      Handler<RoutingContext> everyRequest) {
        super(configuration);
        this.configuration = configuration;
        this.settings = settings;
        this.connections = connections;
        this.everyRequest = everyRequest;
    }

    @Override
    protected Vertx createVertxInstance() {
        created = Vertx.vertx(new VertxOptions().setWorkerPoolSize(settings.workerThreads()));
        return created;
    }

    @Override
    protected void startServer() {
        HttpServerOptions options = new HttpServerOptions()
                .setHttp2ClearTextEnabled(false)
                .setAlpnVersions(List.of(HttpVersion.HTTP_1_1))
                .setIdleTimeout((int) Math.max(1, 2 * settings.idleTimeout().toMillis()))
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        Router router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort()));
        // Before any route: every request on the port keeps its connection busy until it is answered.
        router.route().handler(connections::requestArrived).handler(everyRequest);
        HttpServer httpServer = getVertx().createHttpServer(options)
                .connectionHandler(connections)
                .requestHandler(router);
        try {
            server = await(httpServer.listen(configuration.getBindPort(), configuration.getBindHost()), "open the public port");
        } catch (IllegalStateException e) {
            // The port taken, say: start-up stops rather than run without webhooks.
            throw new PublicPortUnavailableException(configuration.getBindHost(), configuration.getBindPort(),
                    e.getCause() instanceof ExecutionException failed && failed.getCause() instanceof Exception cause ? cause : e);
        }
    }

    @Override
    protected void stopServer() {
        if (server == null) {
            return;
        }
        try {
            // As Camel's server does: the component goes with its server, to be made afresh on a restart.
            getCamelContext().removeComponent(PlatformHttpConstants.PLATFORM_HTTP_COMPONENT_NAME);
            await(server.close(), "close the public HTTP server");
        } finally {
            server = null;
        }
    }

    /** Closes the Vert.x instance made here (Camel's own closes it through an executor its server start makes). */
    @Override
    protected void stopVertx() {
        if (created == null) {
            return;
        }
        try {
            await(created.close(), "close the public port's Vert.x");
        } finally {
            created = null;
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

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public int getPort() {
        return server != null ? server.actualPort() : configuration.getBindPort();
    }
}
