package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.edge.FormParameters;
import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Checks that a Reverse Contact callback comes from a URL the CRM gave out. Reverse Contact signs
 * nothing, so the URL carries the proof, keyed with REVERSECONTACT_CALLBACK_SECRET:
 * <ul>
 * <li>a resolve callback's {@code sig}: base64url without padding of HMAC-SHA256, keyed with the
 *     secret, over {@code type + "\n" + id} (the query values, decoded, UTF-8). One entity's URL
 *     cannot be turned into another's;</li>
 * <li>a profile change alert's {@code secret}: the secret itself. Alerts name their person by
 *     subscriptionId in the body, so the alert URL is one for all.</li>
 * </ul>
 * Missing or wrong is 403; comparisons take constant time. Runs at accept time, before the
 * delivery can be spooled, as the Twilio signature check does; the intake spool keeps neither value
 * ({@link WebhookDelivery#withoutCredentials()}). Without a secret both webhooks take any caller,
 * and start-up logs one warning.
 */
@Component("reverseContactCallbackVerifier")
public class ReverseContactCallbackVerifier {

    public static final String SIGNATURE_PARAMETER = "sig";
    public static final String SECRET_PARAMETER = "secret";

    private static final Logger log = LoggerFactory.getLogger(ReverseContactCallbackVerifier.class);
    private static final String HMAC_SHA256 = "HmacSHA256";

    /** The secret's bytes, or null when callbacks are unauthenticated. */
    private final byte[] secret;

    public ReverseContactCallbackVerifier(@Value("${reversecontact.callback-secret:}") String secret) {
        this.secret = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
        if (this.secret == null) {
            log.warn("Reverse Contact callbacks are unauthenticated: REVERSECONTACT_CALLBACK_SECRET is not set, so anyone can "
                    + "post a resolve callback or a profile change alert. Set it (32 characters or more, e.g. openssl rand -hex 32) "
                    + "and give Reverse Contact signed callback URLs (docs/reverse-contact.md, Authenticating the callbacks)");
        }
    }

    /** Whether callbacks must prove they come from a URL the CRM gave out. */
    public boolean required() {
        return secret != null;
    }

    /** 403 unless a resolve callback's {@code sig} signs its {@code type} and {@code id} (when a secret is set). */
    public void verifyResolve(WebhookDelivery delivery) {
        if (secret == null) {
            return;
        }
        Map<String, List<String>> query = FormParameters.ofQuery(delivery.rawQuery());
        String signature = single(query, SIGNATURE_PARAMETER);
        if (signature == null || signature.isEmpty()) {
            throw WebhookRejection.forbidden("missing query parameter " + SIGNATURE_PARAMETER);
        }
        String type = single(query, "type");
        String id = single(query, "id");
        // No type or id (or either twice) is signed by no sig.
        if (type == null || id == null || !MessageDigest.isEqual(
                signature(type, id).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.UTF_8))) {
            throw WebhookRejection.forbidden("invalid query parameter " + SIGNATURE_PARAMETER);
        }
    }

    /** 403 unless a profile change alert's {@code secret} is the secret (when one is set). */
    public void verifyAlert(WebhookDelivery delivery) {
        if (secret == null) {
            return;
        }
        String given = single(FormParameters.ofQuery(delivery.rawQuery()), SECRET_PARAMETER);
        if (given == null || given.isEmpty()) {
            throw WebhookRejection.forbidden("missing query parameter " + SECRET_PARAMETER);
        }
        // Its time depends on the length of the secret alone (the first argument).
        if (!MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
            throw WebhookRejection.forbidden("invalid query parameter " + SECRET_PARAMETER);
        }
    }

    /** The {@code sig} of a resolve callback URL for this entity; only when a secret is set. */
    public String signature(String type, String id) {
        if (secret == null) {
            throw new IllegalStateException("REVERSECONTACT_CALLBACK_SECRET is not set");
        }
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(new SecretKeySpec(secret, HMAC_SHA256));
            byte[] signed = mac.doFinal((type + "\n" + id).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(signed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is part of every Java runtime", e);
        }
    }

    /** The one value of a query parameter; null when absent or given more than once (neither can match). */
    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.getOrDefault(name, List.of());
        return values.size() == 1 ? values.get(0) : null;
    }
}
