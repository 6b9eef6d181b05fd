package com.example.crm.webhooks.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts to the Twilio webhooks as Twilio does: form-encoded, signed over the public URL. Every
 * signature it makes is first confirmed valid by the official Twilio SDK's {@link RequestValidator},
 * so the service's verifier is tested against Twilio's code, not against itself.
 */
public final class TwilioRequests {

    public static final String MESSAGE_STATUS = "/api/webhooks/twilio/message-status";
    public static final String INBOUND = "/api/webhooks/twilio/inbound";

    private final WebhookClient http;

    public TwilioRequests(WebhookClient http) {
        this.http = http;
    }

    /** Signed as Twilio signs a call to {@code PUBLIC_BASE_URL + pathAndQuery}. */
    public HttpResponse<String> post(String pathAndQuery, Map<String, String> form) {
        return postSignedFor(TestInfrastructure.PUBLIC_BASE_URL + pathAndQuery, pathAndQuery, form);
    }

    /** Signed for {@code signedUrl} (the URL Twilio believes it calls), sent to {@code pathAndQuery} of the service. */
    public HttpResponse<String> postSignedFor(String signedUrl, String pathAndQuery, Map<String, String> form) {
        return postWithSignature(pathAndQuery, form, signature(TestInfrastructure.TWILIO_AUTH_TOKEN, signedUrl, form));
    }

    /** With {@code signature} as X-Twilio-Signature as it is; none when null. */
    public HttpResponse<String> postWithSignature(String pathAndQuery, Map<String, String> form, String signature) {
        return postWithSignature(pathAndQuery, form, signature, Map.of());
    }

    /** The same, with {@code headers} besides: those a proxy adds (X-Forwarded-Proto, X-Forwarded-Host). */
    public HttpResponse<String> postWithSignature(String pathAndQuery, Map<String, String> form, String signature,
                                                  Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (signature != null) {
            all.put("X-Twilio-Signature", signature);
        }
        return http.postForm(pathAndQuery, form, all);
    }

    /**
     * The X-Twilio-Signature Twilio sends for {@code form} posted to {@code url}: base64 HMAC-SHA1 of the
     * URL followed by each parameter, sorted by name, as name + value. Asserted valid by the SDK.
     */
    public static String signature(String authToken, String url, Map<String, String> form) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(form).forEach((name, value) -> data.append(name).append(value));
        String signature = base64HmacSha1(authToken, data.toString());
        assertThat(new RequestValidator(authToken).validate(url, form, signature))
                .as("the Twilio SDK accepts the test's signature for %s", url)
                .isTrue();
        return signature;
    }

    /**
     * The X-Twilio-Signature for a form that gives a name more than once, as Twilio's Node and Python
     * SDKs sign it (Twilio's Java SDK takes one value per name): names sorted, under each name its
     * distinct values sorted, each appended as name + value.
     */
    public static String signatureOfRepeated(String authToken, String url, Map<String, ? extends Collection<String>> form) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(form).forEach((name, values) -> new TreeSet<>(values).forEach(value -> data.append(name).append(value)));
        return base64HmacSha1(authToken, data.toString());
    }

    /** A minimal status callback as Twilio sends it. */
    public static Map<String, String> statusCallback(String messageSid, String status) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        form.put("ApiVersion", "2010-04-01");
        form.put("From", "+61298765432");
        form.put("MessageSid", messageSid);
        form.put("MessageStatus", status);
        form.put("SmsSid", messageSid);
        form.put("SmsStatus", status);
        form.put("To", "+61412345678");
        return form;
    }

    /** An inbound message without media, as Twilio sends it; {@code from} may carry {@code whatsapp:}. */
    public static Map<String, String> inboundMessage(String messageSid, String from, String to, String body) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("ToCountry", "AU");
        form.put("SmsMessageSid", messageSid);
        form.put("NumMedia", "0");
        form.put("SmsSid", messageSid);
        form.put("SmsStatus", "received");
        form.put("Body", body);
        form.put("To", to);
        form.put("NumSegments", "1");
        form.put("MessageSid", messageSid);
        form.put("AccountSid", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        form.put("From", from);
        form.put("ApiVersion", "2010-04-01");
        return form;
    }

    static String base64HmacSha1(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
