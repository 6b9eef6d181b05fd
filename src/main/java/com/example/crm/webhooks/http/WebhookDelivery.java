package com.example.crm.webhooks.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook request as it came off the wire, once it passed the checks that need nothing but the
 * request itself (content type, size, a body received in full): what every route reads of it, and
 * nothing else. Plain values, so the readers and checks that take it never see HTTP or Camel.
 *
 * @param route        the id of the route it came in on ({@code twilio-inbound}, ...)
 * @param pathAndQuery the raw path and query string, exactly as sent (Twilio signs them)
 * @param headers      the few request headers routes read ({@link #KEPT_HEADERS}), names in lower case
 * @param body         the raw body bytes
 * @param receivedAt   when the service received it
 */
public record WebhookDelivery(String route, String pathAndQuery, Map<String, String> headers, byte[] body,
                              Instant receivedAt) {

    /** The request headers a route reads; no other header (cookies, authorization, proxies' own) is kept. */
    public static final String[] KEPT_HEADERS = {"Content-Type", "X-Twilio-Signature"};

    public WebhookDelivery {
        TreeMap<String, String> lowerCase = new TreeMap<>();
        headers.forEach((name, value) -> lowerCase.put(name.toLowerCase(Locale.ROOT), value));
        headers = Collections.unmodifiableMap(lowerCase);
    }

    /** A kept request header, or null when the request had none. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body as UTF-8 text (what both providers send). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The body as one JSON document, read by {@code json} (whose settings say, for one, whether
     * trailing tokens are refused); a 400 when it is empty or not JSON.
     */
    public JsonNode bodyJson(ObjectReader json) {
        String text = bodyText();
        if (text.isBlank()) {
            throw WebhookRejection.badRequest("invalid JSON: empty body");
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw WebhookRejection.badRequest("invalid JSON");
        }
    }

    /** When the service received it, for a timestamptz column. */
    public OffsetDateTime receivedAtUtc() {
        return receivedAt.atOffset(ZoneOffset.UTC);
    }

    /** The raw query string, without the {@code ?}, or null when there is none. */
    public String rawQuery() {
        int question = pathAndQuery.indexOf('?');
        return question < 0 ? null : pathAndQuery.substring(question + 1);
    }
}
