package com.example.crm.webhooks.publicport;

import com.example.crm.webhooks.edge.ReceivedBody;
import com.example.crm.webhooks.edge.ReceivedBody.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a webhook's request body on the event loop, before the request reaches a worker thread,
 * so the routes' worker threads only ever run requests whose body has arrived: a worker that waited
 * for a slow body would be lost to every other webhook. No thread waits: the bytes are collected as they arrive, within
 * <ul>
 *   <li>the size limit (WEBHOOK_MAX_BODY_BYTES): past it, reading stops, and the route answers 413
 *       (a chunked body, or one longer than it said);</li>
 *   <li>the body timeout (WEBHOOK_BODY_TIMEOUT), counted from the request's headers: the whole body
 *       must have arrived by then, or the route answers 408 and the connection is closed;</li>
 *   <li>a memory budget for the bodies arriving on all connections together (PUBLIC_BODY_BUFFER_BYTES):
 *       a body that would pass it is answered 503 with Retry-After at once, here, and its connection
 *       closed. It bounds what slow bodies can hold: without it, every connection could hold a body
 *       of the size limit.</li>
 * </ul>
 * Then the route runs with what was read ({@link ReceivedBody}, turned into the delivery, 413 or 408
 * by {@link WebhookRequests}, so these answers are counted and logged as before). A client that
 * goes away before its body is in goes nowhere: no exchange, no answer, nothing counted.
 *
 * <p>Once a request is answered, whatever of its body was left unread (it was refused before
 * reading, or read past the limit) is read past and dropped, up to twice the size limit and within
 * the body timeout, so the connection can serve the next request; past either it is closed
 * ({@link #afterTheAnswer}). Counted in {@code public_http_body_buffer_bytes} (held now) and
 * {@code public_http_body_buffer_refused_total}.
 */
final class BodyReader {

    private static final Logger log = LoggerFactory.getLogger(BodyReader.class);
    private static final String KEY = BodyReader.class.getName();
    static final String BUFFERS_FULL = "{\"error\":\"too many request bodies in flight, retry later\"}";

    private final long maxBodyBytes;
    private final long maxUnreadBytes;
    private final long timeoutMillis;
    private final long bufferBytes;
    private final AtomicLong buffered = new AtomicLong();
    private final Counter refused;

    BodyReader(long maxBodyBytes, Duration timeout, long bufferBytes, MeterRegistry registry) {
        if (bufferBytes < maxBodyBytes) {
            throw new IllegalArgumentException("the body buffer (PUBLIC_BODY_BUFFER_BYTES, " + bufferBytes
                    + ") must hold at least one body of the size limit (WEBHOOK_MAX_BODY_BYTES, " + maxBodyBytes + ")");
        }
        this.maxBodyBytes = maxBodyBytes;
        this.maxUnreadBytes = 2 * maxBodyBytes;
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.bufferBytes = bufferBytes;
        Gauge.builder("public.http.body.buffer.bytes", buffered, AtomicLong::get)
                .description("Bytes of request bodies held while they arrive, on the public port").register(registry);
        refused = Counter.builder("public.http.body.buffer.refused")
                .description("Requests answered 503 because the request bodies in flight held the whole buffer")
                .register(registry);
    }

    /**
     * Reads the body of the context's request, then calls {@code then} on the event loop with what
     * was read; never, when the client goes away first or the budget refuses the body (answered here).
     * A body read already is handed on as it was: a route's gate reads it, and when the route stops
     * before the body is in, the request goes on to wait for the next route with that body.
     */
    void read(RoutingContext context, Consumer<ReceivedBody> then) {
        Reading earlier = context.get(KEY);
        if (earlier != null && earlier.body != null) {
            then.accept(earlier.body);
            return;
        }
        Reading reading = new Reading(context, then);
        context.put(KEY, reading);
        context.addEndHandler(done -> reading.release());
        HttpServerRequest request = context.request();
        if (request.isEnded()) {
            reading.ended();
            return;
        }
        reading.deadline = context.vertx().setTimer(timeoutMillis, fired -> reading.timedOut());
        request.handler(reading::chunk);
        request.exceptionHandler(reading::failed);
        request.endHandler(end -> reading.ended());
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            request.response().writeContinue();
        }
    }

    /** What was read of the context's request body, once {@link #read} handed it on; null before. */
    static ReceivedBody received(RoutingContext context) {
        Reading reading = context.get(KEY);
        return reading == null ? null : reading.body;
    }

    /**
     * Once a webhook request is answered: reads past what is left of its body, or closes the
     * connection when the body timed out, was refused for the budget, or is too much to read past.
     */
    void afterTheAnswer(RoutingContext context) {
        Reading reading = context.get(KEY);
        State state = reading == null ? State.UNREAD : reading.state;
        switch (state) {
            case COMPLETE, GONE -> { }
            case UNREAD, TOO_LARGE -> drop(context, reading == null ? 0 : reading.dropped);
            default -> context.response().close(); // once the answer is written
        }
    }

    private void drop(RoutingContext context, long alreadyDropped) {
        HttpServerRequest request = context.request();
        if (request.isEnded()) {
            return;
        }
        Vertx vertx = context.vertx();
        long[] dropped = {alreadyDropped};
        long deadline = vertx.setTimer(timeoutMillis, fired -> request.connection().close());
        request.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > maxUnreadBytes) {
                vertx.cancelTimer(deadline);
                request.connection().close();
            }
        });
        request.exceptionHandler(failure -> vertx.cancelTimer(deadline));
        request.endHandler(end -> vertx.cancelTimer(deadline));
        request.resume();
    }

    private boolean take(int bytes) {
        long now;
        do {
            now = buffered.get();
            if (now + bytes > bufferBytes) {
                return false;
            }
        } while (!buffered.compareAndSet(now, now + bytes));
        return true;
    }

    private enum State {
        /** No reading began: the request was answered before its body was wanted. */
        UNREAD,
        READING,
        COMPLETE,
        TOO_LARGE,
        TIMED_OUT,
        /** Past the memory budget: answered 503 here. */
        REFUSED,
        /** The client went away before its body was in. */
        GONE
    }

    /** One body being read; event-loop confined, as every handler of its request runs there. */
    private final class Reading {
        private final RoutingContext context;
        private final Consumer<ReceivedBody> then;
        private final Buffer received = Buffer.buffer();
        private State state = State.READING;
        private ReceivedBody body;
        private long held;
        private long dropped;
        private long deadline = -1;

        Reading(RoutingContext context, Consumer<ReceivedBody> then) {
            this.context = context;
            this.then = then;
        }

        void chunk(Buffer chunk) {
            if (state != State.READING) {
                return;
            }
            long size = received.length() + (long) chunk.length();
            if (size > maxBodyBytes) {
                dropped = size;
                stop(State.TOO_LARGE);
                handOn(ReceivedBody.failed(Outcome.TOO_LARGE));
            } else if (take(chunk.length())) {
                held += chunk.length();
                received.appendBuffer(chunk);
            } else {
                stop(State.REFUSED);
                refused.increment();
                context.response()
                        .setStatusCode(503)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(BUFFERS_FULL);
            }
        }

        void ended() {
            if (state != State.READING) {
                return;
            }
            cancelDeadline();
            state = State.COMPLETE;
            handOn(ReceivedBody.complete(received.getBytes()));
        }

        void timedOut() {
            deadline = -1;
            if (state == State.READING) {
                stop(State.TIMED_OUT);
                handOn(ReceivedBody.failed(Outcome.TIMED_OUT));
            }
        }

        void failed(Throwable failure) {
            if (state == State.READING) {
                stop(State.GONE);
                log.debug("The client of {} went away before its body was in: {}", context.request().path(), failure.toString());
            }
        }

        /** Reading ends for good: nothing more is read (a drain may follow the answer) and nothing held. */
        private void stop(State outcome) {
            state = outcome;
            cancelDeadline();
            context.request().pause();
            release();
        }

        private void handOn(ReceivedBody what) {
            body = what;
            then.accept(what);
        }

        void release() {
            if (held > 0) {
                buffered.addAndGet(-held);
                held = 0;
            }
        }

        private void cancelDeadline() {
            if (deadline >= 0) {
                context.vertx().cancelTimer(deadline);
                deadline = -1;
            }
        }
    }
}
