package com.example.crm.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.support.TwilioRequests;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A spooled delivery keeps the headers its route reads when applied, and none of the others a
 * WebhookDelivery carries (Host and X-Forwarded-*, only for diagnosing a refused Twilio signature).
 */
class IntakeSpoolHeadersTest {

    private final ObjectMapper json = new ObjectMapper();
    private final IntakeSpool spool = new IntakeSpool(json, "intake/",
            SpoolDocumentMac.withKey("intake-spool-headers-test-key-of-32-characters"));

    @Test
    void contentTypeAndSignatureAreSpooledButNotHostOrTheProxysForwardedHeaders() throws Exception {
        WebhookDelivery delivery = new WebhookDelivery("twilio-inbound", TwilioRequests.INBOUND + "?line=support",
                Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Twilio-Signature", "c2lnbmF0dXJlIG9mIDIwIGJ5dGVzIQ==",
                        "Host", "10.0.0.5:8080", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "crm.example.com:8443"),
                "MessageSid=SM1&MessageStatus=sent".getBytes(StandardCharsets.UTF_8), Instant.parse("2026-11-30T05:15:02Z"));

        byte[] document = spool.document(spool.spool(delivery, null));

        assertThat(json.readTree(document).path("headers").properties().stream().map(Map.Entry::getKey))
                .containsExactly("content-type", "x-twilio-signature");
        WebhookDelivery read = spool.read(document).delivery();
        assertThat(read.headers()).containsOnlyKeys("content-type", "x-twilio-signature");
        assertThat(read.header("X-Twilio-Signature")).isEqualTo("c2lnbmF0dXJlIG9mIDIwIGJ5dGVzIQ==");
        assertThat(read.pathAndQuery()).isEqualTo(delivery.pathAndQuery());
        assertThat(read.body()).isEqualTo(delivery.body());
    }
}
