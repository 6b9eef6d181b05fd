package com.example.crm.webhooks.enrichment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/**
 * The error text kept in enrichment_jobs.last_error and dead_letters.error, and logged: Reverse
 * Contact's own message, whether its {@code error} is text or an object {@code {message, code}},
 * and never a raw line break or control character from a third party's answer.
 */
class EnrichmentErrorTextTest {

    private static final String FETCH = "https://api.reversecontact.com/v2/fetch/persons";

    @Test
    void anObjectShapedErrorGivesItsMessageAndCode() {
        String text = EnrichmentQueue.describe(httpFailure(402,
                "{\"success\":false,\"error\":{\"message\":\"Insufficient credits\",\"code\":\"credits_exhausted\"}}"));

        assertThat(text).isEqualTo("HTTP 402 from " + FETCH + ": Insufficient credits (credits_exhausted)");
    }

    @Test
    void aTextErrorGivesItsText() {
        assertThat(EnrichmentQueue.describe(httpFailure(400, "{\"success\":false,\"error\":\"Invalid URL\"}")))
                .isEqualTo("HTTP 400 from " + FETCH + ": Invalid URL");
    }

    @Test
    void anAnswerThatIsNotJsonIsKeptAsText() {
        assertThat(EnrichmentQueue.describe(httpFailure(502, "<html>bad gateway</html>")))
                .isEqualTo("HTTP 502 from " + FETCH + ": <html>bad gateway</html>");
    }

    @Test
    void lineBreaksAndControlsFromTheAnswerAreEscaped() {
        String forged = "oops\r\n2026-01-01 ERROR forged line\u0085next\u2028sep\u2029para\u001b[31m\u009b";

        String text = EnrichmentQueue.describe(httpFailure(500, forged));

        assertThat(text).startsWith("HTTP 500 from " + FETCH + ": oops\\r\\n2026-01-01 ERROR forged line\\u0085next\\u2028sep")
                .doesNotContain("\r", "\n", "\u0085", "\u2028", "\u2029", "\u001b", "\u009b");
        assertThat(EnrichmentQueue.describe(new IllegalStateException("a\nb\u2028c"))).isEqualTo("IllegalStateException: a\\nb\\u2028c");
        assertThat(EnrichmentQueue.describe(httpFailure(400,
                "{\"error\":{\"message\":\"bad\\nrequest\\u2029\",\"code\":\"x\\ry\"}}"))).doesNotContain("\r", "\n", "\u2029");
    }

    @Test
    void aLongAnswerIsCutShort() {
        assertThat(EnrichmentQueue.describe(httpFailure(500, "x".repeat(5000))).length()).isLessThanOrEqualTo(1000);
    }

    private static HttpOperationFailedException httpFailure(int status, String body) {
        return new HttpOperationFailedException(FETCH + "?trace=1", status, "status text", null, Map.of(), body);
    }
}
