package com.example.crm.webhooks.twilio;

import static com.example.crm.webhooks.support.TwilioRequests.INBOUND;
import static com.example.crm.webhooks.support.TwilioRequests.MESSAGE_STATUS;
import static com.example.crm.webhooks.twilio.TwilioMessageStatusWebhookTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.CapturedLog;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A wrong PUBLIC_BASE_URL behind a proxy, as Twilio meets it, over the public HTTP port: the request
 * is refused as always (403, nothing stored), and one WARN names the URL Twilio signed, found from
 * the X-Forwarded-* headers the proxy passes. The running service's PUBLIC_BASE_URL is
 * https://public.example.com; each signature is made for the URL Twilio was given and confirmed by
 * the Twilio SDK ({@link TwilioRequests#signature}). Each test's signed URL is a reason no other test
 * in this JVM logs, so no other test's warning holds this one back (one a minute per reason).
 */
class TwilioSignatureDiagnosisWebhookTest extends WebhookServiceTest {

    @RegisterExtension
    final CapturedLog verifierLog = CapturedLog.of(TwilioSignatureVerifier.class);

    private TwilioRequests twilio;

    @BeforeEach
    void twilio() {
        twilio = new TwilioRequests(http);
    }

    /** Twilio was given the proxy's port 8443, which PUBLIC_BASE_URL leaves out. */
    @Test
    void aProxyPortMissingFromPublicBaseUrlIsNamedInTheWarningAndTheRequestStillRefused() {
        Map<String, String> message = TwilioRequests.inboundMessage("SMport", "+61412345678", "+61298765432", "hi");
        String signedUrl = "https://public.example.com:8443" + INBOUND;
        Map<String, String> proxyHeaders = Map.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "public.example.com:8443");

        String signature = postRefused(INBOUND, message, signedUrl, proxyHeaders);

        assertThat(verifierLog.warnings()).containsExactly("Twilio signature refused (403) on " + INBOUND
                + ": Twilio signed " + signedUrl + "; PUBLIC_BASE_URL is https://public.example.com."
                + " Set PUBLIC_BASE_URL to https://public.example.com:8443, or enter in Twilio the URL under PUBLIC_BASE_URL");
        assertNoSecret(signature);

        postRefused(INBOUND, message, signedUrl, proxyHeaders);

        assertThat(verifierLog.warnings()).as("the same reason again within the minute is held back").hasSize(1);
    }

    /** Twilio was given http://, the proxy says so in X-Forwarded-Proto, PUBLIC_BASE_URL says https://. */
    @Test
    void aSchemeMismatchFromXForwardedProtoIsNamedInTheWarningAndTheRequestStillRefused() {
        String signature = postRefused(MESSAGE_STATUS, TwilioRequests.statusCallback("SMscheme", "delivered"),
                "http://public.example.com" + MESSAGE_STATUS,
                Map.of("X-Forwarded-Proto", "http", "X-Forwarded-Host", "public.example.com"));

        assertThat(verifierLog.warnings()).containsExactly("Twilio signature refused (403) on " + MESSAGE_STATUS
                + ": Twilio signed http://public.example.com" + MESSAGE_STATUS + "; PUBLIC_BASE_URL is https://public.example.com."
                + " Set PUBLIC_BASE_URL to http://public.example.com, or enter in Twilio the URL under PUBLIC_BASE_URL");
        assertNoSecret(signature);
    }

    /**
     * Posts {@code form} signed for {@code signedUrl}, with the proxy's headers, to the service's
     * {@code path}: a 403 as always, and nothing stored. Returns the signature sent.
     */
    private String postRefused(String path, Map<String, String> form, String signedUrl, Map<String, String> proxyHeaders) {
        String signature = TwilioRequests.signature(TestInfrastructure.TWILIO_AUTH_TOKEN, signedUrl, form);
        var before = db.snapshot();

        assertRejected(twilio.postWithSignature(path, form, signature, proxyHeaders), 403, "invalid X-Twilio-Signature");

        assertThat(db.snapshot()).isEqualTo(before);
        return signature;
    }

    private void assertNoSecret(String signature) {
        assertThat(verifierLog.warnings()).allSatisfy(line -> assertThat(line)
                .doesNotContain(signature).doesNotContain(TestInfrastructure.TWILIO_AUTH_TOKEN));
    }
}
