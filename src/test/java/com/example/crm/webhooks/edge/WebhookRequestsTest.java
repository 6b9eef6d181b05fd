package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.RawConnection;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The checks every webhook's HTTP edge makes first (WebhookRequests), on the real routes: content
 * type (415), size (413), a body received in full (408), a body and query that decode (400), and
 * a connection that stays usable after a refusal. None of them writes anything.
 */
class WebhookRequestsTest extends WebhookServiceTest {

    private static final String ALERT = "/api/webhooks/reversecontact";

    @Test
    void otherContentTypesAre415() {
        var before = db.snapshot();
        assertThat(http.post(TwilioRequests.INBOUND, "application/json", "{}", Map.of()).statusCode()).isEqualTo(415);
        assertThat(http.post(TwilioRequests.MESSAGE_STATUS, "not a media type", "a=b", Map.of()).statusCode()).isEqualTo(415);
        assertThat(http.post(ALERT, "application/x-www-form-urlencoded", "a=b", Map.of()).statusCode()).isEqualTo(415);
        assertThat(http.post(ALERT, "text/plain", "{}", Map.of()).body())
                .isEqualTo("{\"error\":\"Content-Type must be application/json\"}");
        assertThat(http.post(ALERT, null, "{}", Map.of()).statusCode()).isEqualTo(415);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void jsonTypesWithParametersAndSuffixesAreAccepted() {
        jdbc.update("insert into people (id, alert_subscription_id) values ('p-1', 'sub-1')");
        assertThat(http.post(ALERT, "application/json; charset=utf-8", "{\"subscriptionId\":\"sub-1\"}", Map.of()).statusCode())
                .isEqualTo(200);
        assertThat(http.post(ALERT, "application/vnd.reversecontact+json", "{\"subscriptionId\":\"sub-1\",\"data\":{}}", Map.of())
                .statusCode()).isEqualTo(200);
    }

    @Test
    void aMalformedFormIs400BeforeTheSignatureIsChecked() {
        HttpResponse<String> response = http.post(TwilioRequests.INBOUND, "application/x-www-form-urlencoded", "Body=%ZZ", Map.of());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"malformed form body\"}");
        assertThat(http.post(TwilioRequests.MESSAGE_STATUS, "application/x-www-form-urlencoded", "Body=a&NoValue", Map.of())
                .statusCode()).isEqualTo(400);
    }

    @Test
    void bodiesOverTheLimitAre413() {
        String huge = "x".repeat(1_048_577);
        assertThat(http.post(ALERT, "application/json", "{\"a\":\"" + huge + "\"}", Map.of()).statusCode()).isEqualTo(413);
        assertThat(http.post(TwilioRequests.INBOUND, "application/x-www-form-urlencoded", "a=" + huge, Map.of()).statusCode())
                .isEqualTo(413);
    }

    @Test
    void aQueryStringThatCannotBeDecodedIs400WithAJsonError() {
        var response = http.postRaw(TwilioRequests.INBOUND + "?%ZZ", "application/x-www-form-urlencoded",
                "a=b".getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.text()).contains("{\"error\":\"malformed query string\"}");
    }

    @Test
    void aBodyLeftUnreadByARejectionIsReadPastSoTheConnectionServesTheNextRequest() {
        // Refused for its content type before the route reads a byte of its 200 kB body.
        String refused = "POST " + ALERT + " HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: text/plain\r\nContent-Length: 200000\r\n\r\n" + "x".repeat(200_000);
        String next = "POST " + ALERT + " HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";

        String answers = http.sendRaw(refused.getBytes(StandardCharsets.US_ASCII), next.getBytes(StandardCharsets.US_ASCII));

        assertThat(Pattern.compile("HTTP/1\\.1 (\\d{3})").matcher(answers).results().map(m -> m.group(1)))
                .containsExactly("415", "400");
        assertThat(answers).contains("{\"error\":\"subscriptionId must be a non-blank string\"}");
    }

    @Test
    void aBodyOfAnotherTypeIsRefusedBeforeItIsSentAndThenReadPast() {
        // The public port does not wait for a body the route refuses for its type: the 415 comes
        // first, then the body is read past, and the connection serves the next request.
        try (RawConnection connection = RawConnection.open(http.baseUrl(), "127.0.0.1")) {
            connection.send("POST " + TwilioRequests.INBOUND + " HTTP/1.1\r\nHost: " + http.host()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
            assertThat(connection.readResponse(Duration.ofSeconds(10))).startsWith("HTTP/1.1 415");

            connection.send("x".repeat(1000));
            connection.send("POST " + ALERT + " HTTP/1.1\r\nHost: " + http.host()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(connection.readResponse(Duration.ofSeconds(10))).startsWith("HTTP/1.1 400")
                    .contains("{\"error\":\"subscriptionId must be a non-blank string\"}");
        }
    }

    @Test
    void aBodyThatStopsShortIs408AndTheConnectionIsClosed() {
        // Ten bytes announced, three sent, and the connection left open: the service stops waiting.
        String stalled = "POST " + TwilioRequests.INBOUND + " HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\na=b";

        String answer = http.sendRaw(stalled.getBytes(StandardCharsets.US_ASCII));

        assertThat(answer).startsWith("HTTP/1.1 408").contains("{\"error\":\"request body not received within 2 s\"}");
    }
}
