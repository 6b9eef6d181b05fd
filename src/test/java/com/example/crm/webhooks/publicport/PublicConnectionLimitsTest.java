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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The public port bounds the connections anyone can hold (issue 16, item 2): a cap per client
 * address and one in total, past which connections are closed at once; a new connection that has
 * not sent its request's headers in full within the header timeout is closed, slow or silent; one
 * with no request in progress is closed after the idle timeout, trickling or not. A service of its
 * own with small limits: 40 connections, 15 per address, headers within 3 s, idle 2 s.
 */
class PublicConnectionLimitsTest {

    private static final int MAX_CONNECTIONS = 40;
    private static final int PER_ADDRESS = 15;
    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

    private static ServiceInstance service;

    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    private final List<RawConnection> connections = new ArrayList<>();

    @BeforeAll
    static void start() {
        service = ServiceInstance.start("connection-limits", TestInfrastructure.newDatabase("connection_limits"), Map.of(
                "webhooks.http.max-connections", MAX_CONNECTIONS,
                "webhooks.http.max-connections-per-address", PER_ADDRESS,
                "webhooks.http.header-timeout", HEADER_TIMEOUT.toSeconds() + "s",
                "webhooks.http.idle-timeout", IDLE_TIMEOUT.toSeconds() + "s",
                "reversecontact.api-key", ""));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @AfterEach
    void cleanUp() {
        trickle.shutdownNow();
        connections.forEach(RawConnection::close);
        // Every connection of this test is gone before the next starts.
        await().atMost(Duration.ofSeconds(10)).until(() -> openConnections() <= 2);
    }

    @Test
    void connectionsBeyondTheCapOfOneAddressAreClosedAtOnceWhileOtherAddressesAreServed() {
        double refusedBefore = refused("per_address");
        List<RawConnection> flood = open("127.0.0.21", PER_ADDRESS + 10);

        // Well before the header timeout, the ten past the cap are closed, and only they.
        await().atMost(Duration.ofSeconds(2)).until(() -> flood.stream().filter(RawConnection::isClosedByServer).count() >= 10);
        assertThat(flood.stream().filter(RawConnection::isClosedByServer)).hasSize(10);
        assertThat(refused("per_address")).isEqualTo(refusedBefore + 10);
        assertThat(openConnections()).isLessThanOrEqualTo(MAX_CONNECTIONS);

        // Another address is served meanwhile.
        WebhookClient http = service.http();
        assertThat(new TwilioRequests(http).post(TwilioRequests.MESSAGE_STATUS,
                TwilioRequests.statusCallback("SMcap-1", "sent")).statusCode()).isEqualTo(204);
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void connectionsBeyondTheTotalCapAreClosedAtOnceUntilTheSilentOnesTimeOut() {
        double refusedBefore = refused("total");
        List<RawConnection> flood = new ArrayList<>();
        for (String address : new String[] {"127.0.0.22", "127.0.0.23", "127.0.0.24"}) {
            flood.addAll(open(address, PER_ADDRESS));
        }

        // However many of the test's own HTTP connections are open, at least 5 of these 45 are past the cap.
        int pastTheCap = 3 * PER_ADDRESS - MAX_CONNECTIONS;
        await().atMost(Duration.ofSeconds(2)).until(() -> flood.stream().filter(RawConnection::isClosedByServer).count() >= pastTheCap);
        assertThat(refused("total")).isGreaterThanOrEqualTo(refusedBefore + pastTheCap);
        assertThat(openConnections()).isLessThanOrEqualTo(MAX_CONNECTIONS);
        RawConnection late = open("127.0.0.25", 1).get(0);
        await().atMost(Duration.ofSeconds(2)).until(late::isClosedByServer);

        // None of the flood sent a request: the header timeout closes them all, and a webhook gets through again.
        await().atMost(HEADER_TIMEOUT.plusSeconds(5)).until(() -> flood.stream().allMatch(RawConnection::isClosedByServer));
        assertThat(new TwilioRequests(service.http()).post(TwilioRequests.MESSAGE_STATUS,
                TwilioRequests.statusCallback("SMcap-2", "sent")).statusCode()).isEqualTo(204);
    }

    @Test
    void headersThatArriveAByteAtATimeAreCutOffByTheHeaderTimeout() {
        double before = timedOut("header");
        RawConnection slow = open("127.0.0.26", 1).get(0);
        slow.send("POST " + TwilioRequests.MESSAGE_STATUS + " HTTP/1.1\r\nHost: x\r\nX-Padding: ");
        trickle.scheduleAtFixedRate(() -> slow.send("a"), 300, 300, TimeUnit.MILLISECONDS);

        await().atMost(HEADER_TIMEOUT.plusSeconds(5)).until(slow::isClosedByServer);
        assertThat(slow.received()).isEmpty();
        assertThat(timedOut("header")).isEqualTo(before + 1);
    }

    @Test
    void aKeptAliveConnectionIsClosedAfterTheIdleTimeoutEvenWhileItTricklesItsNextRequest() {
        RawConnection silent = open("127.0.0.27", 1).get(0);
        RawConnection trickling = open("127.0.0.27", 1).get(0);
        for (RawConnection connection : List.of(silent, trickling)) {
            connection.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(connection.readResponse(Duration.ofSeconds(5))).startsWith("HTTP/1.1 200");
            assertThat(connection.isClosedByServer()).as("kept alive after its answer").isFalse();
        }
        trickling.send("GET /livez HTTP/1.1\r\n");
        trickle.scheduleAtFixedRate(() -> trickling.send("X-Padding: a\r\n"), 300, 300, TimeUnit.MILLISECONDS);

        await().atMost(IDLE_TIMEOUT.plusSeconds(5)).until(silent::isClosedByServer);
        await().atMost(IDLE_TIMEOUT.plusSeconds(5)).until(trickling::isClosedByServer);
    }

    @Test
    void cleartextHttp2IsNotSpoken() throws Exception {
        // An upgrade to h2c is declined: the answer comes over HTTP/1.1.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> upgraded = client.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/livez"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(upgraded.statusCode()).isEqualTo(200);
        assertThat(upgraded.version()).isEqualTo(HttpClient.Version.HTTP_1_1);

        // HTTP/2 with prior knowledge (the connection preface) gets no HTTP/2 frames back (a SETTINGS frame
        // would come first), at most an HTTP/1 refusal of the version.
        RawConnection priorKnowledge = open("127.0.0.28", 1).get(0);
        priorKnowledge.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        // An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
        priorKnowledge.send(new String(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}, StandardCharsets.ISO_8859_1));
        String answer = priorKnowledge.readUntilClosed(Duration.ofSeconds(10));
        assertThat(answer).satisfiesAnyOf(text -> assertThat(text).isEmpty(),
                text -> assertThat(text).matches("(?s)HTTP/\\S+ 501 Not Implemented\r\n.*"));
    }

    private List<RawConnection> open(String localAddress, int count) {
        List<RawConnection> opened = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RawConnection connection = RawConnection.open(service.baseUrl(), localAddress);
            connections.add(connection);
            opened.add(connection);
        }
        return opened;
    }

    private static double refused(String limit) {
        return WebhookMetricsTest.value(scrape(), "public_http_connections_refused_total", "limit=\"" + limit + "\"");
    }

    private static double timedOut(String timeout) {
        return WebhookMetricsTest.value(scrape(), "public_http_connections_timed_out_total", "timeout=\"" + timeout + "\"");
    }

    private static double openConnections() {
        return WebhookMetricsTest.value(scrape(), "public_http_connections", "");
    }

    private static String scrape() {
        HttpResponse<String> response = ManagementClient.operator(service.managementPort()).get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
