package com.example.crm.webhooks.publicport;

import com.example.crm.webhooks.edge.WebhookMetricsTest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.RawConnection;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that are slow or go away cannot stall the webhooks (issue 16, item 1). A service of its
 * own with 8 worker threads (PUBLIC_WORKER_THREADS; production has Vert.x's default, 20), a 3 s body
 * timeout and small bodies: 80 request bodies arriving a byte at a time hold no worker thread, so
 * correctly signed webhooks and the health probes are answered meanwhile, and each slow body gets
 * its 408 on time; health does not wait behind webhooks that keep every worker busy; a client that
 * goes away is not a 500; the memory bodies may take while they arrive is bounded. The counts
 * exceed 20, so each test also fails against a service with the default pool.
 */
class SlowClientsTest {

    /** A probe takes milliseconds; stalled behind slow bodies it took 20 s and more. */
    private static final Duration NOT_STALLED = Duration.ofSeconds(3);
    private static final int WORKER_THREADS = 8;
    /** Webhooks held at once: as many as Vert.x's default pool has workers, so every worker is busy either way. */
    private static final int BUSY = 20;
    private static final String STATUS_ROUTE = "twilio-message-status";

    private static ServiceInstance service;
    private static final Gate gate = new Gate();

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    private final List<RawConnection> connections = new ArrayList<>();
    private WebhookClient http;
    private TwilioRequests twilio;

    @BeforeAll
    static void start() throws Exception {
        service = ServiceInstance.start("slow-clients", TestInfrastructure.newDatabase("slow_clients"), Map.of(
                "webhooks.http.worker-threads", WORKER_THREADS,
                "webhooks.body-timeout", "3s",
                "webhooks.max-body-bytes", 20_000,
                "webhooks.http.body-buffer-bytes", 50_000,
                "reversecontact.api-key", ""));
        // Status callbacks can be held just before they are stored, each keeping its worker thread busy.
        CamelContext camel = service.bean(CamelContext.class);
        AdviceWith.adviceWith(camel, "twilio-message-status", route -> route.weaveById("to-store-twilio-message-status").before()
                .process(exchange -> gate.pass()));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @AfterEach
    void cleanUp() {
        gate.open();
        trickle.shutdownNow();
        callers.shutdownNow();
        connections.forEach(RawConnection::close);
    }

    @Test
    void slowBodiesHoldNoWorkerThreadSoWebhooksAndReadinessAreAnsweredAndEachSlowBodyGets408OnTime() throws Exception {
        http = service.http();
        twilio = new TwilioRequests(http);
        assertThat(statusCallback("SMslow-warm-up").statusCode()).isEqualTo(204);

        // Far more slow bodies than worker threads, from four addresses: each announces 1000 bytes and
        // sends one every half second.
        List<RawConnection> slow = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            RawConnection connection = open("127.0.0." + (11 + i % 4));
            connection.send("POST " + TwilioRequests.MESSAGE_STATUS + " HTTP/1.1\r\nHost: " + http.host()
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na=");
            slow.add(connection);
        }
        trickle.scheduleAtFixedRate(() -> slow.forEach(connection -> connection.send("x")), 500, 500, TimeUnit.MILLISECONDS);

        assertThat(within(NOT_STALLED, () -> statusCallback("SMslow-1")).statusCode()).isEqualTo(204);
        assertThat(within(NOT_STALLED, () -> twilio.post(TwilioRequests.INBOUND,
                TwilioRequests.inboundMessage("SMslow-2", "+61412345678", "+61298765432", "Hi"))).statusCode()).isEqualTo(200);
        assertThat(within(NOT_STALLED, () -> http.get("/readyz")).statusCode()).isEqualTo(200);
        assertThat(within(NOT_STALLED, () -> statusCallback("SMslow-3")).statusCode()).isEqualTo(204);

        // Every slow body gets its 408 about 3 s after it started, not one worker's turn after another.
        await().atMost(Duration.ofSeconds(8)).until(() -> slow.stream().allMatch(RawConnection::isClosedByServer));
        assertThat(slow).allSatisfy(connection -> assertThat(connection.received())
                .startsWith("HTTP/1.1 408").contains("{\"error\":\"request body not received within 3 s\"}"));
    }

    @Test
    void healthIsAnsweredWhileWebhooksKeepEveryWorkerThreadBusy() throws Exception {
        http = service.http();
        twilio = new TwilioRequests(http);
        List<Future<HttpResponse<String>>> held = keepEveryWorkerBusy("SMbusy-");

        assertThat(within(NOT_STALLED, () -> http.get("/readyz")).statusCode()).isEqualTo(200);
        assertThat(within(NOT_STALLED, () -> http.get("/livez")).statusCode()).isEqualTo(200);
        assertThat(within(NOT_STALLED, () -> http.get("/actuator/health")).statusCode())
                .as(() -> ManagementClient.operator(service.managementPort()).get("/actuator/health").body()).isEqualTo(200);
        // The pool has the size configured: the other webhooks wait for a worker.
        assertThat(gate.held()).isEqualTo(WORKER_THREADS);

        gate.open();
        for (Future<HttpResponse<String>> callback : held) {
            assertThat(callback.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        }
    }

    @Test
    void aClientThatGoesAwayIsNeitherA500NorARejection() throws Exception {
        http = service.http();
        twilio = new TwilioRequests(http);
        String before = scrape();
        List<Future<HttpResponse<String>>> held = keepEveryWorkerBusy("SMgone-held-");

        // While every worker is busy: three callers send a whole, signed callback and go away before
        // it is answered; three go away halfway through their body. Each waits for the service to
        // close the connection after its FIN, so the service knows they are gone.
        for (int i = 0; i < 3; i++) {
            Map<String, String> form = TwilioRequests.statusCallback("SMgone-whole-" + i, "delivered");
            String body = WebhookClient.formEncode(form);
            String signature = TwilioRequests.signature(TestInfrastructure.TWILIO_AUTH_TOKEN,
                    TestInfrastructure.PUBLIC_BASE_URL + TwilioRequests.MESSAGE_STATUS, form);
            goAway(head(body.length(), signature) + body);
            goAway(head(body.length(), signature) + body.substring(0, body.length() / 2));
        }

        gate.open();
        for (Future<HttpResponse<String>> callback : held) {
            assertThat(callback.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        }
        // The whole callbacks are processed once a worker is free (and stored: their caller will
        // retry and get a duplicate); the halves never reach the route.
        await().atMost(Duration.ofSeconds(10)).until(() -> count(scrape(), "camel_exchanges_total")
                >= count(before, "camel_exchanges_total") + BUSY + 3);
        String after = scrape();
        assertThat(count(after, "webhooks_rejected_total", "internal_error")).isEqualTo(count(before, "webhooks_rejected_total", "internal_error"));
        assertThat(count(after, "webhooks_rejected_total", "validation")).isEqualTo(count(before, "webhooks_rejected_total", "validation"));
        assertThat(service.jdbc().queryForObject(
                "select count(*) from message_status_events where twilio_sid like 'SMgone-whole-%'", Integer.class)).isEqualTo(3);
    }

    @Test
    void bodiesArrivingBeyondTheMemoryBudgetAre503WithRetryAfter() throws Exception {
        http = service.http();
        twilio = new TwilioRequests(http);
        // Two bodies of 20,000 bytes (the limit here) arrive but for their last two bytes: 39,996 of the 50,000
        // the bodies in flight may hold.
        List<RawConnection> big = new ArrayList<>();
        for (String address : new String[] {"127.0.0.31", "127.0.0.32"}) {
            RawConnection connection = open(address);
            connection.send("POST " + TwilioRequests.MESSAGE_STATUS + " HTTP/1.1\r\nHost: " + http.host()
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000\r\n\r\na="
                    + "x".repeat(19_996));
            big.add(connection);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> count(scrape(), "public_http_body_buffer_bytes") == 2 * 19_998);

        // A third would take more than is left: refused at once, and its connection closed.
        RawConnection third = open("127.0.0.33");
        third.send("POST " + TwilioRequests.MESSAGE_STATUS + " HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000\r\n\r\na=" + "x".repeat(15_000));
        String refused = third.readUntilClosed(Duration.ofSeconds(2));
        assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 30")
                .contains("{\"error\":\"too many request bodies in flight, retry later\"}");
        // A webhook of ordinary size still fits.
        assertThat(within(NOT_STALLED, () -> statusCallback("SMbudget-1")).statusCode()).isEqualTo(204);

        // The two complete their bodies (unsigned: 403) and what they held is free again.
        big.forEach(connection -> connection.send("xx"));
        for (RawConnection connection : big) {
            assertThat(connection.readResponse(Duration.ofSeconds(5))).startsWith("HTTP/1.1 403");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> count(scrape(), "public_http_body_buffer_bytes") == 0);
    }

    /** Status callbacks held before their insert until the gate opens: every worker thread busy, the rest queued. */
    private List<Future<HttpResponse<String>>> keepEveryWorkerBusy(String sidPrefix) {
        gate.close();
        List<Future<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < BUSY; i++) {
            String sid = sidPrefix + i;
            held.add(callers.submit(() -> statusCallback(sid)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.held() >= WORKER_THREADS);
        return held;
    }

    private RawConnection open(String localAddress) {
        RawConnection connection = RawConnection.open(service.baseUrl(), localAddress);
        connections.add(connection);
        return connection;
    }

    private String head(int contentLength, String signature) {
        return "POST " + TwilioRequests.MESSAGE_STATUS + " HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: " + signature
                + "\r\nContent-Length: " + contentLength + "\r\n\r\n";
    }

    /** Sends {@code request}, ends its side of the connection and waits until the service has closed its own. */
    private void goAway(String request) {
        RawConnection connection = open("127.0.0.41");
        connection.send(request);
        connection.shutdownOutput();
        assertThat(connection.readUntilClosed(Duration.ofSeconds(10))).isEmpty();
    }

    private HttpResponse<String> statusCallback(String messageSid) {
        return twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback(messageSid, "delivered"));
    }

    /** The call's result, failing the test unless it came within {@code bound}. */
    private <T> T within(Duration bound, Callable<T> call) throws Exception {
        Future<T> answer = callers.submit(call);
        try {
            return answer.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new AssertionError("not answered within " + bound, e);
        }
    }

    private static String scrape() {
        HttpResponse<String> response = ManagementClient.operator(service.managementPort()).get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The status callback route's series of {@code name} (with {@code reason}, for webhooks_rejected_total). */
    private static double count(String metrics, String name, String reason) {
        return WebhookMetricsTest.value(metrics, name, "endpoint=\"" + STATUS_ROUTE + "\",reason=\"" + reason + "\"");
    }

    private static double count(String metrics, String name) {
        return name.startsWith("camel_") ? WebhookMetricsTest.value(metrics, name, "routeId=\"" + STATUS_ROUTE + "\"")
                : WebhookMetricsTest.value(metrics, name, "");
    }

    /** Holds status callbacks before their insert while closed, each keeping its worker thread. */
    private static final class Gate {
        private volatile CountDownLatch closed = new CountDownLatch(0);
        private final AtomicInteger held = new AtomicInteger();

        void close() {
            held.set(0);
            closed = new CountDownLatch(1);
        }

        void open() {
            closed.countDown();
        }

        int held() {
            return held.get();
        }

        void pass() throws InterruptedException {
            CountDownLatch latch = closed;
            if (latch.getCount() > 0) {
                held.incrementAndGet();
                latch.await(30, TimeUnit.SECONDS);
            }
        }
    }
}
