package com.example.crm.webhooks.publicport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the connections of the public port, so no client can hold them, or the file descriptors
 * behind them, for long:
 * <ul>
 *   <li>at most {@code maxConnections} open at once, and {@code maxConnectionsPerAddress} from one
 *       client address; a connection past either is closed as soon as it is accepted, unanswered
 *       (there is no request yet to answer);</li>
 *   <li>a new connection must send its first request's headers in full within {@code headerTimeout},
 *       however slowly the bytes trickle in;</li>
 *   <li>a connection with no request in progress (kept alive after an answer) must send its next
 *       request's headers in full within {@code idleTimeout}, trickling or not.</li>
 * </ul>
 * A request's body has its own deadline (WEBHOOK_BODY_TIMEOUT, {@link BodyReader}). Counted in
 * {@code public_http_connections} (open now), {@code public_http_connections_refused_total{limit}}
 * and {@code public_http_connections_timed_out_total{timeout}}.
 *
 * <p>Everything about one connection happens on its event loop (the connection handler, its
 * requests, its timers), so its {@link Tracked} state needs no locks; only the counts are shared.
 */
final class PublicConnections implements Handler<HttpConnection> {

    private final int maxConnections;
    private final int maxPerAddress;
    private final long headerTimeoutMillis;
    private final long idleTimeoutMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Integer> openByAddress = new ConcurrentHashMap<>();
    private final Map<HttpConnection, Tracked> tracked = new ConcurrentHashMap<>();
    private final Counter refusedTotal;
    private final Counter refusedPerAddress;
    private final Counter headerTimeouts;
    private final Counter idleTimeouts;

    PublicConnections(int maxConnections, int maxPerAddress, Duration headerTimeout, Duration idleTimeout,
                      MeterRegistry registry) {
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.headerTimeoutMillis = Math.max(1, headerTimeout.toMillis());
        this.idleTimeoutMillis = Math.max(1, idleTimeout.toMillis());
        Gauge.builder("public.http.connections", open, AtomicInteger::get)
                .description("Connections open on the public port").register(registry);
        refusedTotal = refusedCounter(registry, "total");
        refusedPerAddress = refusedCounter(registry, "per_address");
        headerTimeouts = timedOutCounter(registry, "header");
        idleTimeouts = timedOutCounter(registry, "idle");
    }

    /** A connection was accepted: admitted within the caps, with its header deadline, or closed at once. */
    @Override
    public void handle(HttpConnection connection) {
        String address = address(connection.remoteAddress());
        if (!admit(address)) {
            connection.close();
            return;
        }
        Tracked state = new Tracked(connection, Vertx.currentContext().owner());
        tracked.put(connection, state);
        connection.closeHandler(closed -> {
            state.closed();
            tracked.remove(connection);
            release(address);
        });
        state.awaitHeaders(headerTimeoutMillis, headerTimeouts);
    }

    /** First handler of every request on the public port: its connection is busy until the answer is out. */
    void requestArrived(RoutingContext context) {
        Tracked state = tracked.get(context.request().connection());
        if (state != null) {
            state.requestStarted();
            context.addEndHandler(answered -> state.requestFinished());
        }
        context.next();
    }

    private boolean admit(String address) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refusedTotal.increment();
            return false;
        }
        boolean[] admitted = {true};
        openByAddress.compute(address, (key, count) -> {
            int now = count == null ? 0 : count;
            if (maxPerAddress > 0 && now >= maxPerAddress) {
                admitted[0] = false;
                return count;
            }
            return now + 1;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
            refusedPerAddress.increment();
        }
        return admitted[0];
    }

    private void release(String address) {
        open.decrementAndGet();
        openByAddress.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
    }

    private static String address(SocketAddress remote) {
        if (remote == null) {
            return "";
        }
        return remote.hostAddress() != null ? remote.hostAddress() : String.valueOf(remote.path());
    }

    private static Counter refusedCounter(MeterRegistry registry, String limit) {
        return Counter.builder("public.http.connections.refused")
                .description("Connections closed as soon as accepted, for a connection cap of the public port")
                .tag("limit", limit).register(registry);
    }

    private static Counter timedOutCounter(MeterRegistry registry, String timeout) {
        return Counter.builder("public.http.connections.timed.out")
                .description("Connections of the public port closed for not sending a request's headers in time")
                .tag("timeout", timeout).register(registry);
    }

    /** One connection: requests in progress, and the deadline for the next request's headers while there is none. */
    private final class Tracked {
        private final HttpConnection connection;
        private final Vertx vertx;
        private int inProgress;
        private long deadline = -1;
        private boolean closed;

        Tracked(HttpConnection connection, Vertx vertx) {
            this.connection = connection;
            this.vertx = vertx;
        }

        void awaitHeaders(long millis, Counter timeouts) {
            cancelDeadline();
            if (closed) {
                return;
            }
            deadline = vertx.setTimer(millis, fired -> {
                deadline = -1;
                if (!closed && inProgress == 0) {
                    timeouts.increment();
                    connection.close();
                }
            });
        }

        void requestStarted() {
            inProgress++;
            cancelDeadline();
        }

        void requestFinished() {
            inProgress--;
            if (inProgress == 0) {
                awaitHeaders(idleTimeoutMillis, idleTimeouts);
            }
        }

        void closed() {
            closed = true;
            cancelDeadline();
        }

        private void cancelDeadline() {
            if (deadline >= 0) {
                vertx.cancelTimer(deadline);
                deadline = -1;
            }
        }
    }
}
