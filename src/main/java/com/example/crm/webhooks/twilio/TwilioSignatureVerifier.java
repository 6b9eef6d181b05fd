package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.logging.LogRateLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Checks that a request comes from Twilio: its {@code X-Twilio-Signature} must be the base64
 * HMAC-SHA1, keyed with the account's auth token, of the URL Twilio called followed by every form
 * parameter of the body, sorted by name, each as name and value with nothing between.
 *
 * <p>The URL is {@code PUBLIC_BASE_URL} plus the request's path and query as received, never the
 * Host header or scheme the service sees: behind a TLS-terminating proxy those are internal
 * ({@code http://10.0.0.5:8080}) while Twilio signed {@code https://crm.example.com}. Twilio has
 * signed URLs on the scheme's default port both with and without it ({@code :443}), so both
 * forms are accepted, as Twilio's own SDKs do. A name sent more than once is a 400 before the
 * signature is checked ({@link TwilioForm#of}), so the form signed is the form stored. Comparisons
 * take constant time.
 *
 * <p>Two tokens may be in use while the account's auth token is rotated: {@code TWILIO_AUTH_TOKEN},
 * and {@code TWILIO_AUTH_TOKEN_SECONDARY} (optional). A signature made with either is accepted; the
 * secondary is tried only when the primary fails, so a request signed with the primary costs what it
 * did with one token. {@code twilio_signature_verified_total{token="primary"|"secondary"}} counts
 * which one verified each request, so an operator sees when the old token is no longer used.
 *
 * <p>Twilio's connection overrides ({@code #rc=2&rp=all}) are a fragment of the URL entered in
 * Twilio, never sent in the request line; Twilio's SDKs sign a URL as given, fragment and all.
 * {@code TWILIO_CONNECTION_OVERRIDES}, when set, is that fragment: a signature over the URL with it
 * is accepted as well as one over the URL without it (docs/twilio.md).
 *
 * <p>Without an auth token or a valid public URL nothing can be checked: both Twilio webhooks
 * then answer 500 (the service is misconfigured, not the caller), and start-up logs a warning.
 *
 * <p>A signature that fails is a 403 as always, and a WARN for the operator says why
 * ({@link TwilioSignatureDiagnosis}): which other URL the request came in on Twilio signed, or that
 * it matches none (the token is not the sender's). At most one line a minute per reason, the next
 * saying how many were held back: a stream of forged requests cannot flood the log.
 */
@Component("twilioSignatureVerifier")
public class TwilioSignatureVerifier {

    public static final String SIGNATURE_HEADER = "X-Twilio-Signature";

    private static final Logger log = LoggerFactory.getLogger(TwilioSignatureVerifier.class);
    private static final String HMAC_SHA1 = "HmacSHA1";
    /**
     * The reasons a failure is logged for: no signature, a form too large to try, none of the URLs
     * tried, one per URL Twilio signed.
     */
    private static final String NOT_A_SIGNATURE = "not-a-signature";
    private static final String FORM_TOO_LARGE = "form-too-large";
    private static final String SIGNED_NO_URL = "signed-no-url";
    private static final String SIGNED_ANOTHER_URL = "signed:";

    private static final String PRIMARY = "primary";
    private static final String SECONDARY = "secondary";

    /** The primary token, then the secondary when one is set; empty while Twilio is not configured. */
    private final List<SigningToken> tokens;
    /** The public base URL as configured, and the same with or without the scheme's default port. */
    private final List<String> publicBaseUrls;
    /** What may follow the path and query in the signed URL: nothing, and {@code #} + the connection overrides. */
    private final List<String> signedFragments;
    /** Why the webhooks cannot verify anything, or null when they can. */
    private final String notConfigured;
    private final TwilioSignatureDiagnosis diagnosis;
    /**
     * Per reason, a URL Twilio signed among them: only a signature made with the token gives one, so
     * a caller without it cannot add reasons; the limit's own bound holds besides.
     */
    private final LogRateLimit failureWarnings = new LogRateLimit(Duration.ofMinutes(1), 16);

    public TwilioSignatureVerifier(@Value("${twilio.auth-token:}") String authToken,
                                   @Value("${twilio.auth-token-secondary:}") String secondaryAuthToken,
                                   @Value("${twilio.connection-overrides:}") String connectionOverrides,
                                   @Value("${webhooks.public-base-url:}") String publicBaseUrl,
                                   MeterRegistry registry) {
        List<String> problems = new ArrayList<>();
        String primary = authToken == null ? "" : authToken.strip();
        String secondary = secondaryAuthToken == null ? "" : secondaryAuthToken.strip();
        if (primary.isEmpty()) {
            problems.add(secondary.isEmpty() ? "TWILIO_AUTH_TOKEN is not set"
                    : "TWILIO_AUTH_TOKEN is not set (TWILIO_AUTH_TOKEN_SECONDARY is only tried after it)");
        }
        List<String> baseUrls = baseUrlForms(publicBaseUrl);
        if (baseUrls.isEmpty()) {
            problems.add(publicBaseUrl == null || publicBaseUrl.isBlank() ? "PUBLIC_BASE_URL is not set"
                    : "PUBLIC_BASE_URL is not an absolute http(s) URL without query");
        }
        Counter primaryVerified = verifiedCounter(registry, PRIMARY);
        Counter secondaryVerified = verifiedCounter(registry, SECONDARY);
        List<SigningToken> signingTokens = new ArrayList<>();
        if (problems.isEmpty()) {
            signingTokens.add(new SigningToken(PRIMARY, keyedMac(primary), primaryVerified));
            if (secondary.equals(primary)) {
                log.info("TWILIO_AUTH_TOKEN_SECONDARY is the same as TWILIO_AUTH_TOKEN: one token in use");
            } else if (!secondary.isEmpty()) {
                signingTokens.add(new SigningToken(SECONDARY, keyedMac(secondary), secondaryVerified));
            }
        }
        this.tokens = List.copyOf(signingTokens);
        this.publicBaseUrls = baseUrls;
        this.signedFragments = signedFragments(connectionOverrides);
        this.notConfigured = problems.isEmpty() ? null : "Twilio webhooks are not configured: " + String.join(", ", problems);
        this.diagnosis = baseUrls.isEmpty() ? null : new TwilioSignatureDiagnosis(baseUrls, tokens.size() > 1);
        if (notConfigured != null) {
            log.warn("{}; /api/webhooks/twilio/* answer 500 until it is", notConfigured);
        }
    }

    /**
     * Verifies a delivery Twilio posted, by its form parameters (of the body alone: Twilio signs
     * those, never the query string's). 500 when Twilio is not configured, 403 when the signature is
     * missing or wrong, 400 for a body that is not a form (or not UTF-8, or repeats a field). The
     * delivery passes on as it was.
     */
    public void verify(WebhookDelivery delivery) {
        if (notConfigured != null) {
            throw WebhookRejection.notConfigured(notConfigured);
        }
        String signature = delivery.header(SIGNATURE_HEADER);
        Map<String, List<String>> parameters = TwilioForm.of(delivery).parameters();
        if (signature == null || signature.isBlank()) {
            throw WebhookRejection.forbidden("missing " + SIGNATURE_HEADER + " header");
        }
        byte[] received = signature.strip().getBytes(StandardCharsets.UTF_8);
        byte[] signedParameters = signedParameters(parameters).getBytes(StandardCharsets.UTF_8);
        // The raw path and query, as they were on the wire and in the URL Twilio signed.
        SigningToken token = tokenThatSigned(delivery.pathAndQuery(), signedParameters, received);
        if (token == null) {
            warnWhy(delivery, parameters, signedParameters, received);
            throw WebhookRejection.forbidden("invalid " + SIGNATURE_HEADER);
        }
        token.verified().increment();
    }

    /**
     * Which token ({@value #PRIMARY} or {@value #SECONDARY}) {@code signature} was made with, for this
     * path and query under the public base URL with these body parameters; empty when neither.
     */
    Optional<String> verifyingToken(String pathAndQuery, Map<String, List<String>> parameters, String signature) {
        if (notConfigured != null) {
            throw WebhookRejection.notConfigured(notConfigured);
        }
        SigningToken token = tokenThatSigned(pathAndQuery, signedParameters(parameters).getBytes(StandardCharsets.UTF_8),
                signature.strip().getBytes(StandardCharsets.UTF_8));
        return Optional.ofNullable(token).map(SigningToken::name);
    }

    /** Whether {@code signature} signs this path and query under the public base URL, with these body parameters. */
    boolean isValid(String pathAndQuery, Map<String, List<String>> parameters, String signature) {
        return verifyingToken(pathAndQuery, parameters, signature).isPresent();
    }

    /** The primary if it signed, else the secondary if it did (tried only then), else null. */
    private SigningToken tokenThatSigned(String pathAndQuery, byte[] signedParameters, byte[] received) {
        for (SigningToken token : tokens) {
            if (signsUnderPublicBaseUrl(token.mac(), pathAndQuery, signedParameters, received)) {
                return token;
            }
        }
        return null;
    }

    private boolean signsUnderPublicBaseUrl(Mac keyedMac, String pathAndQuery, byte[] signedParameters, byte[] received) {
        boolean valid = false;
        for (String baseUrl : publicBaseUrls) {
            for (String fragment : signedFragments) {
                // No early exit: each form costs the same.
                valid |= signs(keyedMac, baseUrl + pathAndQuery + fragment, signedParameters, received);
            }
        }
        return valid;
    }

    /**
     * A WARN, at most once a minute per reason, saying which URL the refused signature would have
     * matched, tried among the few the request could have been sent to; only after a failure.
     */
    private void warnWhy(WebhookDelivery delivery, Map<String, List<String>> parameters, byte[] signedParameters,
                         byte[] received) {
        String reason;
        List<String> tried = List.of();
        String signedBaseUrl = null;
        if (received.length != TwilioSignatureDiagnosis.SIGNATURE_LENGTH) {
            reason = NOT_A_SIGNATURE;
        } else if (signedParameters.length > TwilioSignatureDiagnosis.MAX_DIAGNOSED_FORM_BYTES) {
            reason = FORM_TOO_LARGE;
        } else {
            tried = diagnosis.candidateBaseUrls(delivery);
            signedBaseUrl = candidateThatSigned(tried, delivery.pathAndQuery(), signedParameters, received);
            reason = signedBaseUrl == null ? SIGNED_NO_URL : SIGNED_ANOTHER_URL + signedBaseUrl;
        }
        OptionalLong heldBack = failureWarnings.permit(reason);
        if (heldBack.isEmpty()) {
            return;
        }
        String line = switch (reason) {
            case NOT_A_SIGNATURE -> diagnosis.notASignature(delivery);
            case FORM_TOO_LARGE -> diagnosis.formTooLarge(delivery);
            case SIGNED_NO_URL -> diagnosis.signedNoUrl(delivery, tried, accountSid(parameters));
            default -> diagnosis.signedAnotherUrl(delivery, signedBaseUrl);
        };
        log.warn("{}{}", line, heldBack.getAsLong() == 0 ? ""
                : " (" + heldBack.getAsLong() + " more like it since the last such warning, not logged)");
    }

    /** The first candidate base URL a token signed this request under, with each fragment the check takes; or null. */
    private String candidateThatSigned(List<String> candidates, String pathAndQuery, byte[] signedParameters,
                                       byte[] received) {
        for (String candidate : candidates) {
            for (SigningToken token : tokens) {
                for (String fragment : signedFragments) {
                    if (signs(token.mac(), candidate + pathAndQuery + fragment, signedParameters, received)) {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    private static String accountSid(Map<String, List<String>> parameters) {
        List<String> values = parameters.get("AccountSid");
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Names sorted; under each name its distinct values sorted; each appended as name + value. */
    static String signedParameters(Map<String, List<String>> parameters) {
        String[] names = parameters.keySet().toArray(String[]::new);
        Arrays.sort(names);
        StringBuilder data = new StringBuilder(512);
        for (String name : names) {
            List<String> values = parameters.get(name);
            // Nearly every field comes once: no set to build for it.
            for (String value : values.size() == 1 ? values : new TreeSet<>(values)) {
                data.append(name).append(value);
            }
        }
        return data.toString();
    }

    /** Whether {@code received} is the signature of {@code url} followed by the signed parameters; constant time. */
    private static boolean signs(Mac keyedMac, String url, byte[] signedParameters, byte[] received) {
        Mac mac;
        try {
            mac = (Mac) keyedMac.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HMAC-SHA1 can be cloned", e);
        }
        mac.update(url.getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(Base64.getEncoder().encode(mac.doFinal(signedParameters)), received);
    }

    private static Mac keyedMac(String authToken) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 is part of every Java runtime", e);
        }
    }

    private static Counter verifiedCounter(MeterRegistry registry, String token) {
        return Counter.builder("twilio.signature.verified")
                .description("Twilio requests whose signature checked out, by the auth token that made it")
                .tag("token", token)
                .register(registry);
    }

    /**
     * The fragments a signed URL may end with: none, and {@code #} + {@code connectionOverrides} (given
     * with or without its {@code #}) when set.
     */
    static List<String> signedFragments(String connectionOverrides) {
        String overrides = connectionOverrides == null ? "" : connectionOverrides.strip();
        if (overrides.startsWith("#")) {
            overrides = overrides.substring(1);
        }
        return overrides.isEmpty() ? List.of("") : List.of("", "#" + overrides);
    }

    /**
     * A token the signature may be made with, keyed once: each request signs with a copy, as a Mac is
     * not thread-safe and looking one up and keying it costs more than the signing.
     */
    private record SigningToken(String name, Mac mac, Counter verified) {
    }

    /**
     * {@code https://crm.example.com} gives itself and {@code https://crm.example.com:443}, and the
     * other way round; a URL on another port gives only itself. A trailing slash is dropped (the
     * request path brings its own). Empty when the URL is missing or unusable.
     */
    static List<String> baseUrlForms(String publicBaseUrl) {
        if (publicBaseUrl == null || publicBaseUrl.isBlank()) {
            return List.of();
        }
        URI uri;
        try {
            uri = new URI(publicBaseUrl.strip());
        } catch (URISyntaxException e) {
            return List.of();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return List.of();
        }
        int defaultPort = scheme.equals("https") ? 443 : 80;
        String origin = uri.getScheme() + "://" + (uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@") + uri.getHost();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        if (uri.getPort() != -1 && uri.getPort() != defaultPort) {
            return List.of(origin + ":" + uri.getPort() + path);
        }
        return List.of(origin + path, origin + ":" + defaultPort + path);
    }
}
