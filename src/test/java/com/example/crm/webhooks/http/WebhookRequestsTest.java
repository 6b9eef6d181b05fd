package com.example.crm.webhooks.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The checks every webhook makes first: content type (415), size (413), and the body's form fields. */
class WebhookRequestsTest extends WebhookServiceTest {

    @BeforeEach
    void addEchoRoutes() throws Exception {
        if (camelContext.getRoute("test-form-echo") != null) {
            return;
        }
        camelContext.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/api/webhooks/test/form-echo?httpMethodRestrict=POST&useBodyHandler=false")
                        .routeId("test-form-echo")
                        .routeConfigurationId("webhook-errors")
                        .bean("webhookRequests", "requireForm")
                        .setBody(method("webhookRequests", "formParameters"))
                        .marshal().json();
                from("platform-http:/test/json-echo?httpMethodRestrict=POST&useBodyHandler=false")
                        .routeId("test-json-echo")
                        .routeConfigurationId("webhook-errors")
                        .bean("webhookRequests", "requireJson")
                        .setBody(constant("{\"ok\":true}"));
            }
        });
    }

    @Test
    void formFieldsComeFromTheBodyOnlyDecodedAndRepeatable() {
        HttpResponse<String> response = http.post("/api/webhooks/test/form-echo?From=query-value&type=x",
                "application/x-www-form-urlencoded; charset=UTF-8",
                "From=%2B61412345678&Body=h%C3%A9llo+%26+bye&MediaUrl0=a&From=second", Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(
                "{\"From\":[\"+61412345678\",\"second\"],\"Body\":[\"héllo & bye\"],\"MediaUrl0\":[\"a\"]}");
    }

    @Test
    void malformedPercentEncodingIs400() {
        HttpResponse<String> response = http.post("/api/webhooks/test/form-echo", "application/x-www-form-urlencoded", "Body=%ZZ", Map.of());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"malformed form body\"}");
    }

    @Test
    void aFormFieldWithoutEqualsSignIs400NotACamelFailure() {
        HttpResponse<String> response = http.post("/api/webhooks/test/form-echo", "application/x-www-form-urlencoded",
                "Body=a&NoValue", Map.of());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"malformed form body\"}");
    }

    @Test
    void otherContentTypesAre415() {
        assertThat(http.post("/api/webhooks/test/form-echo", "application/json", "{}", Map.of()).statusCode()).isEqualTo(415);
        assertThat(http.post("/api/webhooks/test/form-echo", "not a media type", "a=b", Map.of()).statusCode()).isEqualTo(415);
        assertThat(http.post("/test/json-echo", "application/x-www-form-urlencoded", "a=b", Map.of()).statusCode()).isEqualTo(415);
        assertThat(http.post("/test/json-echo", "text/plain", "{}", Map.of()).body())
                .isEqualTo("{\"error\":\"Content-Type must be application/json\"}");
    }

    @Test
    void jsonTypesWithParametersAndSuffixesAreAccepted() {
        assertThat(http.post("/test/json-echo", "application/json; charset=utf-8", "{}", Map.of()).statusCode()).isEqualTo(200);
        assertThat(http.post("/test/json-echo", "application/vnd.reversecontact+json", "{}", Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void bodiesOverTheLimitAre413() {
        String huge = "x".repeat(1_048_577);
        assertThat(http.post("/test/json-echo", "application/json", "{\"a\":\"" + huge + "\"}", Map.of()).statusCode())
                .isEqualTo(413);
        assertThat(http.post("/api/webhooks/test/form-echo", "application/x-www-form-urlencoded", "a=" + huge, Map.of()).statusCode())
                .isEqualTo(413);
    }

    @Test
    void aQueryStringThatCannotBeDecodedIs400WithAJsonError() {
        var response = http.postRaw("/api/webhooks/test/form-echo?%ZZ", "application/x-www-form-urlencoded",
                "a=b".getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.text()).contains("{\"error\":\"malformed query string\"}");
    }

    @Test
    void aBodyLeftUnreadByARejectionIsReadPastSoTheConnectionServesTheNextRequest() {
        // Refused for its content type before the route reads a byte of its 200 kB body.
        String refused = "POST /test/json-echo HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: text/plain\r\nContent-Length: 200000\r\n\r\n" + "x".repeat(200_000);
        String next = "POST /test/json-echo HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";

        String answers = http.sendRaw(refused.getBytes(StandardCharsets.US_ASCII), next.getBytes(StandardCharsets.US_ASCII));

        assertThat(Pattern.compile("HTTP/1\\.1 (\\d{3})").matcher(answers).results().map(m -> m.group(1)))
                .containsExactly("415", "200");
        assertThat(answers).contains("{\"ok\":true}");
    }

    @Test
    void aBodyThatStopsShortIs408AndTheConnectionIsClosed() {
        // Ten bytes announced, three sent, and the connection left open: the service stops waiting.
        String stalled = "POST /api/webhooks/test/form-echo HTTP/1.1\r\nHost: " + http.host()
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\na=b";

        String answer = http.sendRaw(stalled.getBytes(StandardCharsets.US_ASCII));

        assertThat(answer).startsWith("HTTP/1.1 408").contains("{\"error\":\"request body not received within 2 s\"}");
    }
}
