package com.example.crm.webhooks.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.support.CapturedLog;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WARN a failed Twilio signature leaves for an operator, on its own: each test has a verifier
 * of its own, so none shares another's minute of rate limiting. Every signature is made by
 * {@link TwilioRequests#signature}, which has the Twilio SDK confirm it first. (Over HTTP, with the
 * running service: TwilioSignatureDiagnosisWebhookTest.)
 */
class TwilioSignatureDiagnosisTest {

    private static final String TOKEN = "account-token";
    private static final String PATH = "/api/webhooks/twilio/inbound";
    private static final String REFUSED = "Twilio signature refused (403) on " + PATH + ": ";

    private final Map<String, String> form = TwilioRequests.inboundMessage("SM1", "+61412345678", "+61298765432", "hi");

    @RegisterExtension
    final CapturedLog verifierLog = CapturedLog.of(TwilioSignatureVerifier.class);

    @Test
    void aSignatureForTheProxysPortIsFoundFromXForwardedHostAndNamedBesidePublicBaseUrl() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com", new SimpleMeterRegistry());
        String signature = TwilioRequests.signature(TOKEN, "https://crm.example.com:8443" + PATH, form);

        assertRefused(verifier, delivery(PATH, signature, Map.of("Host", "10.0.0.5:8080",
                "X-Forwarded-Host", "crm.example.com:8443", "X-Forwarded-Proto", "https")));

        assertThat(verifierLog.warnings()).containsExactly(REFUSED + "Twilio signed https://crm.example.com:8443" + PATH
                + "; PUBLIC_BASE_URL is https://crm.example.com. Set PUBLIC_BASE_URL to https://crm.example.com:8443,"
                + " or enter in Twilio the URL under PUBLIC_BASE_URL");
    }

    @Test
    void aSignatureOverPlainHttpIsFoundFromTheHostHeaderAlone() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com", new SimpleMeterRegistry());
        String signature = TwilioRequests.signature(TOKEN, "http://crm.example.com" + PATH, form);

        assertRefused(verifier, delivery(PATH, signature, Map.of("Host", "crm.example.com")));

        assertThat(verifierLog.warnings()).singleElement().asString()
                .contains("Twilio signed http://crm.example.com" + PATH + "; PUBLIC_BASE_URL is https://crm.example.com.");
    }

    @Test
    void anHttpsSignatureIsFoundFromPublicBaseUrlsHostWhenTheProxySendsOnlyItsOwn() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "http://crm.example.com/hooks", new SimpleMeterRegistry());
        String signature = TwilioRequests.signature(TOKEN, "https://crm.example.com:443/hooks" + PATH, form);

        assertRefused(verifier, delivery(PATH, signature, Map.of("Host", "10.0.0.5:8080")));

        assertThat(verifierLog.warnings()).singleElement().asString().contains("Twilio signed https://crm.example.com:443/hooks" + PATH
                + "; PUBLIC_BASE_URL is http://crm.example.com/hooks. Set PUBLIC_BASE_URL to https://crm.example.com:443/hooks,");
    }

    @Test
    void aSubAccountsSignatureMatchesNoUrlAndPointsAtTheTokenWithoutLoggingTokenOrSignature() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com", new SimpleMeterRegistry());
        form.put("AccountSid", "ACsub0000000000000000000000000000");
        String signature = TwilioRequests.signature("sub-account-token", "https://crm.example.com" + PATH, form);

        assertRefused(verifier, delivery(PATH, signature, Map.of("Host", "crm.example.com", "X-Forwarded-Proto", "https")));

        assertThat(verifierLog.warnings()).containsExactly(REFUSED + "the signature matches no URL the request could have been sent to"
                + " (tried PUBLIC_BASE_URL https://crm.example.com and http://crm.example.com, http://crm.example.com:80):"
                + " check TWILIO_AUTH_TOKEN, which must be the auth token of the account that sends (a sub-account signs"
                + " with its own token; the form names AccountSid ACsub0000000000000000000000000000), or the request is not"
                + " from Twilio");
        assertThat(verifierLog.warnings().get(0)).doesNotContain(TOKEN).doesNotContain("sub-account-token").doesNotContain(signature);
    }

    @Test
    void aHeaderThatIsNoHmacSha1SignatureIsSaidToBeNoneAndNoUrlIsTried() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com", new SimpleMeterRegistry());

        assertRefused(verifier, delivery(PATH, "forged", Map.of("Host", "crm.example.com")));

        assertThat(verifierLog.warnings()).containsExactly(REFUSED + "X-Twilio-Signature is not an HMAC-SHA1 signature"
                + " (28 base64 characters): the request is not from Twilio, or something on its way changed the header");
    }

    @Test
    void aFormLargerThanTwilioSendsIsNotTriedUnderOtherUrls() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com", new SimpleMeterRegistry());
        form.put("Body", "x".repeat(TwilioSignatureDiagnosis.MAX_DIAGNOSED_FORM_BYTES));
        String signature = TwilioRequests.signature(TOKEN, "http://crm.example.com" + PATH, form);

        assertRefused(verifier, delivery(PATH, signature, Map.of("Host", "crm.example.com")));

        assertThat(verifierLog.warnings()).containsExactly(REFUSED + "the form is larger than the 64 KiB a refused signature"
                + " is diagnosed for (Twilio's are a few KiB), so no other URL was tried: check PUBLIC_BASE_URL"
                + " (https://crm.example.com) and TWILIO_AUTH_TOKEN, or the request is not from Twilio");
    }

    @Test
    void aReasonIsLoggedOnceAMinuteWhileOthersStillAre() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com", new SimpleMeterRegistry());
        String otherToken = TwilioRequests.signature("other-token", "https://crm.example.com" + PATH, form);
        String httpUrl = TwilioRequests.signature(TOKEN, "http://crm.example.com" + PATH, form);

        for (int i = 0; i < 3; i++) {
            assertRefused(verifier, delivery(PATH, otherToken, Map.of()));
            assertRefused(verifier, delivery(PATH, httpUrl, Map.of()));
            assertRefused(verifier, delivery(PATH, "forged", Map.of()));
        }

        assertThat(verifierLog.warnings()).hasSize(3);
        assertThat(verifierLog.warnings()).filteredOn(line -> line.contains("matches no URL")).hasSize(1);
        assertThat(verifierLog.warnings()).filteredOn(line -> line.contains("Twilio signed http://crm.example.com")).hasSize(1);
        assertThat(verifierLog.warnings()).filteredOn(line -> line.contains("is not an HMAC-SHA1 signature")).hasSize(1);
    }

    @Test
    void headersMakeAUrlOnlyAsAHostAndPortAndWhatTheRequestSaysIsEscapedAndItsQueryLeftOut() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com", new SimpleMeterRegistry());
        form.put("AccountSid", "AC1\nINFO forged line\u202e");
        String path = PATH + "\u202e\u2028?key=query-secret";
        String wellFormedButWrong = "A".repeat(27) + "=";

        assertRefused(verifier, delivery(path, wellFormedButWrong, Map.of("Host", "user@evil.example.com",
                "X-Forwarded-Host", "evil.example.com/\nINFO forged", "X-Forwarded-Proto", "gopher")));

        assertThat(verifierLog.warnings()).singleElement().asString()
                .startsWith("Twilio signature refused (403) on " + PATH + "\\u202E\\u2028?\u2026: ")
                .contains("(tried PUBLIC_BASE_URL https://crm.example.com and http://crm.example.com, http://crm.example.com:80)")
                .contains("AccountSid AC1\\nINFO_forged_line\\u202E)")
                .doesNotContain("query-secret").doesNotContain("evil").doesNotContain("\n");
    }

    @Test
    void atMostTwelveUrlsAreTriedThreeHostsTwoSchemesWithAndWithoutThePort() {
        TwilioSignatureDiagnosis diagnosis = new TwilioSignatureDiagnosis(TwilioSignatureVerifier.baseUrlForms("https://crm.example.com:8443"), false);

        List<String> candidates = diagnosis.candidateBaseUrls(delivery(PATH, "x", Map.of("Host", "10.0.0.5:8080",
                "X-Forwarded-Host", "proxy.example.com, 10.0.0.1", "X-Forwarded-Proto", "https,http")));

        assertThat(candidates).containsExactly(
                "https://proxy.example.com", "https://proxy.example.com:443", "http://proxy.example.com", "http://proxy.example.com:80",
                "https://10.0.0.5", "https://10.0.0.5:8080", "http://10.0.0.5", "http://10.0.0.5:8080",
                "https://crm.example.com", "http://crm.example.com", "http://crm.example.com:8443")
                .hasSizeLessThanOrEqualTo(TwilioSignatureDiagnosis.MAX_CANDIDATES);
        assertThat(diagnosis.candidateBaseUrls(delivery(PATH, "x", Map.of("Host", "[2001:db8::1]:8080"))))
                .contains("http://[2001:db8::1]:8080", "https://[2001:db8::1]");
    }

    private void assertRefused(TwilioSignatureVerifier verifier, WebhookDelivery delivery) {
        assertThatThrownBy(() -> verifier.verify(delivery)).isInstanceOfSatisfying(WebhookRejection.class, refused -> {
            assertThat(refused.getStatus()).isEqualTo(403);
            assertThat(refused.getMessage()).isEqualTo("invalid X-Twilio-Signature");
        });
    }

    private WebhookDelivery delivery(String pathAndQuery, String signature, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(TwilioSignatureVerifier.SIGNATURE_HEADER, signature);
        return new WebhookDelivery("twilio-inbound", pathAndQuery, all,
                WebhookClient.formEncode(form).getBytes(StandardCharsets.UTF_8), Instant.now());
    }
}
