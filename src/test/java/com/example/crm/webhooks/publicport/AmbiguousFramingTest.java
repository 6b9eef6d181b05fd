package com.example.crm.webhooks.publicport;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.RawConnection;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A request whose end a proxy in front and the public port could find in different places (RFC
 * 9112 6.3: Content-Length with Transfer-Encoding, Content-Length twice, not digits, a final coding
 * other than chunked) is answered 400 and its connection closed, so nothing sent after it on that
 * connection is read as a request of its own; nothing is stored. Each is a signed Twilio message
 * the port would store, framed well.
 */
class AmbiguousFramingTest extends WebhookServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String MALFORMED = MalformedRequests.MALFORMED;
    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/1\\.1 \\d{3} ");

    @Test
    void eachAmbiguousFramingIs400AndTheConnectionClosed() {
        Signed message = Signed.message("SM-framing");
        String form = message.form();
        String chunked = message.chunked();
        Map<String, String> framings = new LinkedHashMap<>();
        framings.put("Content-Length and Transfer-Encoding",
                "Content-Length: " + form.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked);
        framings.put("Transfer-Encoding and Content-Length",
                "Transfer-Encoding: chunked\r\nContent-Length: " + form.length() + "\r\n\r\n" + chunked);
        framings.put("two differing Content-Length",
                "Content-Length: " + form.length() + "\r\nContent-Length: 4\r\n\r\n" + form);
        framings.put("Content-Length as a list", "Content-Length: " + form.length() + ", " + form.length() + "\r\n\r\n" + form);
        framings.put("Content-Length not digits", "Content-Length: +" + form.length() + "\r\n\r\n" + form);
        framings.put("Content-Length in hex", "Content-Length: 0x" + Integer.toHexString(form.length()) + "\r\n\r\n" + form);
        framings.put("final coding not chunked", "Transfer-Encoding: chunked, identity\r\n\r\n" + chunked);
        framings.put("chunked twice", "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked);
        framings.put("a space before the colon", "Transfer-Encoding : chunked\r\nContent-Length: " + form.length()
                + "\r\n\r\n" + form);
        for (Map.Entry<String, String> framing : framings.entrySet()) {
            var before = db.snapshot();
            try (RawConnection connection = RawConnection.open(http.baseUrl(), "127.0.0.1")) {
                // A second request after the first: read as one, it would be smuggled past a proxy.
                connection.send(head(message) + framing.getValue() + "GET /actuator/health HTTP/1.1\r\nHost: x\r\n\r\n");
                String answer = connection.readUntilClosed(WAIT);
                assertThat(answer).as(framing.getKey()).startsWith("HTTP/1.1 400 ").contains("application/json")
                        .endsWith(MALFORMED);
                assertThat(STATUS_LINE.matcher(answer).results().count()).as(framing.getKey() + ": one answer").isOne();
            }
            assertThat(db.snapshot()).as(framing.getKey() + " wrote nothing").isEqualTo(before);
            assertThat(db.count("messages")).isZero();
        }
    }

    @Test
    void headersPastTheLimitAre431InJsonAndTheConnectionClosed() {
        try (RawConnection connection = RawConnection.open(http.baseUrl(), "127.0.0.1")) {
            connection.send("GET /livez HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(9_000) + "\r\n\r\n");
            String answer = connection.readUntilClosed(WAIT);
            assertThat(answer).startsWith("HTTP/1.1 431 ").contains("application/json").endsWith(MALFORMED);
        }
    }

    @Test
    void aCodingBesidesChunkedIs501AndTheConnectionClosed() {
        Signed message = Signed.message("SM-gzip");
        try (RawConnection connection = RawConnection.open(http.baseUrl(), "127.0.0.1")) {
            connection.send(head(message) + "Transfer-Encoding: gzip, chunked\r\n\r\n" + message.chunked());
            String answer = connection.readUntilClosed(WAIT);
            assertThat(answer).startsWith("HTTP/1.1 501 ").endsWith(MalformedRequests.UNSUPPORTED_CODING);
        }
        assertThat(db.count("messages")).isZero();
    }

    @Test
    void theSameMessageFramedWellIsStoredAndTheConnectionKept() {
        for (String framing : List.of("content-length", "chunked")) {
            String sid = "SM-" + framing;
            Signed message = Signed.message(sid);
            String body = framing.equals("chunked")
                    ? "Transfer-Encoding: chunked\r\n\r\n" + message.chunked()
                    : "Content-Length: " + message.form().length() + "\r\n\r\n" + message.form();
            try (RawConnection connection = RawConnection.open(http.baseUrl(), "127.0.0.1")) {
                connection.send(head(message) + body);
                assertThat(connection.readResponse(WAIT)).as(framing).startsWith("HTTP/1.1 200 ");
                assertThat(connection.isClosedByServer()).as(framing).isFalse();
            }
            assertThat(jdbc.queryForObject("select count(*) from messages where twilio_sid = ?", Integer.class, sid)).isOne();
        }
    }

    /** A signed inbound message: its form (ASCII, so its length is its bytes) and its X-Twilio-Signature. */
    private record Signed(String form, String signature) {

        static Signed message(String messageSid) {
            Map<String, String> message = TwilioRequests.inboundMessage(messageSid, "+61412345678", "+61298765432", "framed");
            return new Signed(WebhookClient.formEncode(message), TwilioRequests.signature(TestInfrastructure.TWILIO_AUTH_TOKEN,
                    TestInfrastructure.PUBLIC_BASE_URL + TwilioRequests.INBOUND, message));
        }

        String chunked() {
            return Integer.toHexString(form.length()) + "\r\n" + form + "\r\n0\r\n\r\n";
        }
    }

    /** The request line and every header but the framing ones. */
    private String head(Signed message) {
        return "POST " + TwilioRequests.INBOUND + " HTTP/1.1\r\nHost: " + http.host() + "\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "X-Twilio-Signature: " + message.signature() + "\r\n";
    }
}
