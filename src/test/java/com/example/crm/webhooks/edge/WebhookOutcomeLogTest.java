package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The one log line per webhook: route, outcome, status and provider id, each a single safe token. */
class WebhookOutcomeLogTest {

    private final DefaultCamelContext camel = new DefaultCamelContext();

    @Test
    void theLineNamesRouteOutcomeStatusAndProviderId() {
        assertThat(WebhookOutcomeLog.format("twilio-inbound", "accepted", 200, "SM0123456789abcdef", 12))
                .isEqualTo("webhook route=twilio-inbound outcome=accepted status=200 id=SM0123456789abcdef ms=12");
        assertThat(WebhookOutcomeLog.format("reversecontact-resolve", "rejected/unknown_entity", 404, null, 3))
                .isEqualTo("webhook route=reversecontact-resolve outcome=rejected/unknown_entity status=404 id=- ms=3");
    }

    @Test
    void aCallersIdCannotForgeFieldsOrLinesAndIsCutShort() {
        assertThat(WebhookOutcomeLog.token("SM1 outcome=accepted\nwebhook route=x")).isEqualTo("SM1_outcome_accepted\\nwebhook_route_x");
        assertThat(WebhookOutcomeLog.token("x".repeat(500))).hasSize(80);
    }

    @Test
    void everyKindOfLineBreakAndControlInACallersIdIsEscaped() {
        String forged = "SM1\u0085webhook route=x\u2028y\u2029z\u009b\u001b[0m\u202eevil";

        String token = WebhookOutcomeLog.token(forged);

        assertThat(token).doesNotContain("\u0085", "\u2028", "\u2029", "\u009b", "\u001b", "\u202e", " ", "=")
                .startsWith("SM1\\u0085webhook_route_x\\u2028y");
    }

    @Test
    void outcomeAndStatusComeFromTheCountersAndTheResponse() {
        Exchange rejected = new DefaultExchange(camel);
        rejected.setProperty(WebhookMetrics.OUTCOME_PROPERTY, "rejected");
        rejected.setProperty(WebhookMetrics.REASON_PROPERTY, "signature");
        rejected.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 403);
        assertThat(WebhookOutcomeLog.outcome(rejected)).isEqualTo("rejected/signature");
        assertThat(WebhookOutcomeLog.status(rejected)).isEqualTo(403);

        Exchange noContent = new DefaultExchange(camel);
        noContent.setProperty(WebhookMetrics.OUTCOME_PROPERTY, "duplicate");
        assertThat(WebhookOutcomeLog.outcome(noContent)).isEqualTo("duplicate");
        assertThat(WebhookOutcomeLog.status(noContent)).isEqualTo(204);

        Exchange failed = new DefaultExchange(camel);
        failed.setException(new IllegalStateException("boom"));
        assertThat(WebhookOutcomeLog.outcome(failed)).isEqualTo("failed");
        assertThat(WebhookOutcomeLog.status(failed)).isEqualTo(500);
    }
}
