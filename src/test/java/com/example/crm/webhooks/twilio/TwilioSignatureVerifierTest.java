package com.example.crm.webhooks.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.support.TwilioRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The signature check on its own, for public URLs the HTTP tests cannot vary. Each signature is
 * made by {@link TwilioRequests#signature}, which has the Twilio SDK confirm it first.
 */
class TwilioSignatureVerifierTest {

    private static final String TOKEN = "12345";
    private static final String SECONDARY_TOKEN = "67890";
    private static final String PATH = "/api/webhooks/twilio/inbound";

    /** The example of Twilio's security documentation, parameters included. */
    private static final Map<String, String> PARAMS = new LinkedHashMap<>(Map.of(
            "CallSid", "CA1234567890ABCDE", "Caller", "+12349013030", "Digits", "1234",
            "From", "+12349013030", "To", "+18005551212"));

    @Test
    void acceptsWhatTheTwilioSdkAcceptsForTheConfiguredUrl() {
        TwilioSignatureVerifier verifier = verifier("https://crm.example.com");
        String signature = TwilioRequests.signature(TOKEN, "https://crm.example.com" + PATH + "?foo=1&bar=2", PARAMS);

        assertThat(verifier.isValid(PATH + "?foo=1&bar=2", multi(PARAMS), signature)).isTrue();
        assertThat(verifier.isValid(PATH + "?foo=1&bar=3", multi(PARAMS), signature)).isFalse();
        assertThat(verifier.isValid(PATH, multi(PARAMS), signature)).isFalse();
    }

    @Test
    void anHttpsUrlIsAcceptedWithAndWithoutAnExplicit443WhicheverWasConfigured() {
        String withoutPort = TwilioRequests.signature(TOKEN, "https://crm.example.com" + PATH, PARAMS);
        String withPort = TwilioRequests.signature(TOKEN, "https://crm.example.com:443" + PATH, PARAMS);

        for (String configured : List.of("https://crm.example.com", "https://crm.example.com:443", "https://crm.example.com/")) {
            TwilioSignatureVerifier verifier = verifier(configured);
            assertThat(verifier.isValid(PATH, multi(PARAMS), withoutPort)).as(configured).isTrue();
            assertThat(verifier.isValid(PATH, multi(PARAMS), withPort)).as(configured).isTrue();
        }
    }

    @Test
    void anotherPortMustMatchExactly() {
        TwilioSignatureVerifier verifier = verifier("https://crm.example.com:8443");

        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "https://crm.example.com:8443" + PATH, PARAMS))).isTrue();
        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "https://crm.example.com" + PATH, PARAMS))).isFalse();
        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "https://crm.example.com:443" + PATH, PARAMS))).isFalse();
    }

    @Test
    void theSchemeAndHostAreThoseConfiguredNotThoseTheServiceSees() {
        TwilioSignatureVerifier verifier = verifier("https://crm.example.com");

        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "http://crm.example.com" + PATH, PARAMS))).isFalse();
        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "http://10.0.0.5:8080" + PATH, PARAMS))).isFalse();
        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "https://evil.example.com" + PATH, PARAMS))).isFalse();
    }

    @Test
    void aPlainHttpUrlIsAcceptedWithAndWithoutAnExplicit80AsTheSdkDoes() {
        TwilioSignatureVerifier verifier = verifier("http://localhost");

        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "http://localhost" + PATH, PARAMS))).isTrue();
        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "http://localhost:80" + PATH, PARAMS))).isTrue();
    }

    @Test
    void aPathPrefixOfThePublicUrlIsSigned() {
        TwilioSignatureVerifier verifier = verifier("https://crm.example.com/hooks/");

        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "https://crm.example.com/hooks" + PATH, PARAMS))).isTrue();
        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, "https://crm.example.com" + PATH, PARAMS))).isFalse();
    }

    @Test
    void everyParameterIsSignedAndNoneMayBeAddedChangedOrDropped() {
        TwilioSignatureVerifier verifier = verifier("https://crm.example.com");
        String signature = TwilioRequests.signature(TOKEN, "https://crm.example.com" + PATH, PARAMS);

        Map<String, String> added = new LinkedHashMap<>(PARAMS);
        added.put("NewTwilioField", "x");
        Map<String, String> changed = new LinkedHashMap<>(PARAMS);
        changed.put("To", "+18005551213");
        Map<String, String> dropped = new LinkedHashMap<>(PARAMS);
        dropped.remove("Digits");
        Map<String, String> emptyValue = new LinkedHashMap<>(PARAMS);
        emptyValue.put("Digits", "");

        assertThat(verifier.isValid(PATH, multi(PARAMS), signature)).isTrue();
        for (Map<String, String> other : List.of(added, changed, dropped, emptyValue)) {
            assertThat(verifier.isValid(PATH, multi(other), signature)).as(other.toString()).isFalse();
        }
        assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature("54321", "https://crm.example.com" + PATH, PARAMS))).isFalse();
        assertThat(verifier.isValid(PATH, multi(PARAMS), "not base64 at all")).isFalse();
    }

    @Test
    void withNoParametersOnlyTheUrlIsSigned() {
        TwilioSignatureVerifier verifier = verifier("https://crm.example.com");

        assertThat(verifier.isValid(PATH, Map.of(), TwilioRequests.signature(TOKEN, "https://crm.example.com" + PATH, Map.of()))).isTrue();
    }

    /**
     * Twilio does not repeat names, and the Java SDK (a Map of single values) cannot say what it would
     * sign if it did; the Node and Python SDKs sign each distinct value once, values sorted. So do we.
     */
    @Test
    void aRepeatedNameIsSignedAsTwiliosNodeAndPythonSdksSignIt() {
        TwilioSignatureVerifier verifier = verifier("https://crm.example.com");
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        repeated.put("To", List.of("+2"));
        repeated.put("Media", List.of("b", "a", "b"));

        assertThat(TwilioSignatureVerifier.signedParameters(repeated)).isEqualTo("MediaaMediabTo+2");
        String signature = hmac(TOKEN, "https://crm.example.com" + PATH + "MediaaMediabTo+2");
        assertThat(verifier.isValid(PATH, repeated, signature)).isTrue();
    }

    @Test
    void withoutAnAuthTokenOrAUsablePublicUrlNothingIsCheckedAndTheAnswerIs500() {
        for (TwilioSignatureVerifier notConfigured : List.of(
                new TwilioSignatureVerifier("", "", "", "https://crm.example.com", new SimpleMeterRegistry()),
                new TwilioSignatureVerifier(" ", "", "", "https://crm.example.com", new SimpleMeterRegistry()),
                new TwilioSignatureVerifier(TOKEN, "", "", "", new SimpleMeterRegistry()),
                new TwilioSignatureVerifier(TOKEN, "", "", "crm.example.com", new SimpleMeterRegistry()),
                new TwilioSignatureVerifier(TOKEN, "", "", "ftp://crm.example.com", new SimpleMeterRegistry()),
                new TwilioSignatureVerifier(TOKEN, "", "", "https://crm.example.com?x=1", new SimpleMeterRegistry()),
                new TwilioSignatureVerifier(TOKEN, "", "", "https://exa mple.com", new SimpleMeterRegistry()))) {
            assertThatThrownBy(() -> notConfigured.isValid(PATH, Map.of(), "x"))
                    .isInstanceOfSatisfying(WebhookRejection.class, rejection -> {
                        assertThat(rejection.getStatus()).isEqualTo(500);
                        assertThat(rejection.getMessage()).startsWith("Twilio webhooks are not configured: ");
                    });
        }
        assertThatThrownBy(() -> new TwilioSignatureVerifier("", "", "", "", new SimpleMeterRegistry()).isValid(PATH, Map.of(), "x"))
                .hasMessage("Twilio webhooks are not configured: TWILIO_AUTH_TOKEN is not set, PUBLIC_BASE_URL is not set");
    }

    @Test
    void duringARotationASignatureOfEitherTokenIsAcceptedAndTheTokenThatMadeItIsNamed() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, SECONDARY_TOKEN, "", "https://crm.example.com",
                new SimpleMeterRegistry());
        String url = "https://crm.example.com" + PATH;

        assertThat(verifier.verifyingToken(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, url, PARAMS))).hasValue("primary");
        assertThat(verifier.verifyingToken(PATH, multi(PARAMS), TwilioRequests.signature(SECONDARY_TOKEN, url, PARAMS)))
                .hasValue("secondary");
        assertThat(verifier.verifyingToken(PATH, multi(PARAMS), TwilioRequests.signature("54321", url, PARAMS))).isEmpty();
        // The secondary signs only what it signs: the URL and every parameter still count.
        assertThat(verifier.isValid(PATH + "?x=1", multi(PARAMS), TwilioRequests.signature(SECONDARY_TOKEN, url, PARAMS))).isFalse();
    }

    /** A token read from a secret file often ends with a line break; a Twilio token never has a blank. */
    @Test
    void blanksAroundEitherTokenAreNotPartOfIt() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN + "\n", " " + SECONDARY_TOKEN + "\t",
                "", "https://crm.example.com", new SimpleMeterRegistry());
        String url = "https://crm.example.com" + PATH;

        assertThat(verifier.verifyingToken(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, url, PARAMS))).hasValue("primary");
        assertThat(verifier.verifyingToken(PATH, multi(PARAMS), TwilioRequests.signature(SECONDARY_TOKEN, url, PARAMS)))
                .hasValue("secondary");
    }

    @Test
    void aSecondaryTokenWithoutAPrimaryLeavesTwilioNotConfigured() {
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier("", SECONDARY_TOKEN, "", "https://crm.example.com",
                new SimpleMeterRegistry());

        assertThatThrownBy(() -> verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(SECONDARY_TOKEN,
                "https://crm.example.com" + PATH, PARAMS)))
                .hasMessage("Twilio webhooks are not configured: TWILIO_AUTH_TOKEN is not set"
                        + " (TWILIO_AUTH_TOKEN_SECONDARY is only tried after it)");
    }

    /**
     * Connection overrides are a fragment of the URL entered in Twilio, which the request line never
     * carries; the SDK signs the URL it is given, fragment and all. With the fragment configured, a
     * signature over the URL with it and one over the URL without it are both accepted, under either
     * token; without, only the latter.
     */
    @Test
    void aSignatureOverTheUrlWithItsConnectionOverridesIsAcceptedOnlyWhenTheyAreConfigured() {
        String overrides = "rc=2&rp=all&tt=14000";
        String url = "https://crm.example.com" + PATH;
        String withFragment = TwilioRequests.signature(TOKEN, url + "#" + overrides, PARAMS);
        String secondaryWithFragment = TwilioRequests.signature(SECONDARY_TOKEN, url + "#" + overrides, PARAMS);
        String withoutFragment = TwilioRequests.signature(TOKEN, url, PARAMS);
        assertThat(withFragment).as("the fragment is part of what the SDK signs").isNotEqualTo(withoutFragment);

        for (String configured : List.of(overrides, "#" + overrides)) {
            TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, SECONDARY_TOKEN, configured, "https://crm.example.com",
                    new SimpleMeterRegistry());
            assertThat(verifier.verifyingToken(PATH, multi(PARAMS), withFragment)).as(configured).hasValue("primary");
            assertThat(verifier.verifyingToken(PATH, multi(PARAMS), secondaryWithFragment)).as(configured).hasValue("secondary");
            assertThat(verifier.verifyingToken(PATH, multi(PARAMS), withoutFragment)).as(configured).hasValue("primary");
            assertThat(verifier.isValid(PATH, multi(PARAMS), TwilioRequests.signature(TOKEN, url + "#rc=3&rp=all&tt=14000", PARAMS)))
                    .as("another fragment").isFalse();
        }
        TwilioSignatureVerifier withoutOverrides = verifier("https://crm.example.com");
        assertThat(withoutOverrides.isValid(PATH, multi(PARAMS), withFragment)).isFalse();
        assertThat(withoutOverrides.isValid(PATH, multi(PARAMS), withoutFragment)).isTrue();
    }

    private static TwilioSignatureVerifier verifier(String publicBaseUrl) {
        return new TwilioSignatureVerifier(TOKEN, "", "", publicBaseUrl, new SimpleMeterRegistry());
    }

    private static Map<String, List<String>> multi(Map<String, String> params) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        params.forEach((name, value) -> multi.put(name, List.of(value)));
        return multi;
    }

    private static String hmac(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
