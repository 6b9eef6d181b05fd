package com.example.crm.webhooks.edge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * A webhook request as it came off the wire, once it passed the checks that need nothing but the
 * request itself (content type, size, a body received in full): what every route reads of it, and
 * nothing else. Plain values, so the readers and checks that take it never see HTTP or Camel. A
 * form body is parsed once, on first use ({@link #form()}): the signature check, the reader and
 * the stored payload share that one parse.
 *
 * <p>It is read one way only, so what a check verified is what is stored: the body as UTF-8 or a
 * 400 ({@link #bodyText()}, no U+FFFD for bytes that do not decode), form fields likewise
 * ({@link FormParameters}), JSON with each key once per object or a 400 ({@link #bodyJson}).
 */
public final class WebhookDelivery {

    /**
     * The request headers a route reads; no other header (cookies, authorization) is kept. Host and
     * X-Forwarded-Proto/-Host only say, when a Twilio signature fails, which URL the request came in
     * on (TwilioSignatureDiagnosis); the intake spool does not keep them (IntakeSpool's
     * SPOOLED_HEADERS: a spooled delivery was verified before and is not verified again).
     */
    public static final String[] KEPT_HEADERS = {"Content-Type", "X-Twilio-Signature", "Host", "X-Forwarded-Proto",
            "X-Forwarded-Host"};

    /**
     * Query parameters that carry credentials (Reverse Contact's callback {@code sig} and
     * {@code secret}): checked when the delivery arrives, and kept nowhere after that.
     */
    public static final Set<String> CREDENTIAL_PARAMETERS = Set.of("sig", "secret");

    /** How Jackson's duplicate detection begins its message (it has no exception type of its own). */
    private static final String DUPLICATE_KEY = "Duplicate field";

    private final String route;
    private final String pathAndQuery;
    private final Map<String, String> headers;
    private final byte[] body;
    private final Instant receivedAt;
    /** The body's form fields, once parsed; a body that is no form is refused on each use. */
    private volatile Map<String, List<String>> form;
    /** The body as text, once decoded; a body that is not UTF-8 is refused on each use. */
    private volatile String text;

    /**
     * @param route        the id of the webhook it came in on ({@code twilio-inbound}, ...)
     * @param pathAndQuery the raw path and query string, exactly as sent (Twilio signs them)
     * @param headers      the few request headers routes read ({@link #KEPT_HEADERS})
     * @param body         the raw body bytes
     * @param receivedAt   when the service received it
     */
    public WebhookDelivery(String route, String pathAndQuery, Map<String, String> headers, byte[] body,
                           Instant receivedAt) {
        TreeMap<String, String> lowerCase = new TreeMap<>();
        headers.forEach((name, value) -> lowerCase.put(name.toLowerCase(Locale.ROOT), value));
        this.route = route;
        this.pathAndQuery = pathAndQuery;
        this.headers = Collections.unmodifiableMap(lowerCase);
        this.body = body;
        this.receivedAt = receivedAt;
    }

    /**
     * A delivery as the request arrived at webhook {@code route}: its raw path and query, as they were
     * on the wire and in the URL Twilio signed, the headers routes read, and {@code body}.
     */
    public static WebhookDelivery received(String route, HttpServerRequest request, byte[] body, Instant receivedAt) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : KEPT_HEADERS) {
            String value = request.getHeader(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return new WebhookDelivery(route, request.uri(), headers, body, receivedAt);
    }

    /** The id of the webhook it came in on. */
    public String route() {
        return route;
    }

    /** The raw path and query string, exactly as sent. */
    public String pathAndQuery() {
        return pathAndQuery;
    }

    /** The kept request headers, names in lower case. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The raw body bytes. */
    public byte[] body() {
        return body;
    }

    /** When the service received it. */
    public Instant receivedAt() {
        return receivedAt;
    }

    /**
     * The body's {@code application/x-www-form-urlencoded} fields (decoded, in arrival order,
     * repeated names kept; unmodifiable), parsed on first use; a 400 when the body is no form.
     */
    public Map<String, List<String>> form() {
        Map<String, List<String>> parsed = form;
        if (parsed == null) {
            parsed = Collections.unmodifiableMap(FormParameters.ofBody(bodyText()));
            form = parsed;
        }
        return parsed;
    }

    /** A kept request header, or null when the request had none. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body as UTF-8 text (what both providers send); a 400 when it is not valid UTF-8. */
    public String bodyText() {
        String decoded = text;
        if (decoded == null) {
            decoded = StrictUtf8.decode(body, "body is not valid UTF-8");
            text = decoded;
        }
        return decoded;
    }

    /**
     * The body as one JSON document, read by {@code json} (whose settings say, for one, whether
     * trailing tokens are refused); a 400 when it is empty, not UTF-8, not JSON, or names a key
     * twice in one object (one reader would take the first, another the last).
     */
    public JsonNode bodyJson(ObjectReader json) {
        String text = bodyText();
        if (text.isBlank()) {
            throw WebhookRejection.badRequest("invalid JSON: empty body");
        }
        try {
            return json.with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(text);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage();
            throw WebhookRejection.badRequest(reason != null && reason.startsWith(DUPLICATE_KEY)
                    ? "invalid JSON: a key appears more than once in one object" : "invalid JSON");
        }
    }

    /** When the service received it, for a timestamptz column. */
    public OffsetDateTime receivedAtUtc() {
        return receivedAt.atOffset(ZoneOffset.UTC);
    }

    /**
     * The same delivery without the {@link #CREDENTIAL_PARAMETERS} in its query (matched by decoded
     * name), the other parameters as they were: what may be kept once the checks have run.
     */
    public WebhookDelivery withoutCredentials() {
        String query = rawQuery();
        if (query == null) {
            return this;
        }
        StringJoiner kept = new StringJoiner("&");
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!CREDENTIAL_PARAMETERS.contains(decodedName(name))) {
                kept.add(pair);
            }
        }
        String path = pathAndQuery.substring(0, pathAndQuery.indexOf('?'));
        return new WebhookDelivery(route, kept.length() == 0 ? path : path + "?" + kept, headers, body, receivedAt);
    }

    /** A parameter name as the readers see it; one that does not decode is kept (no check reads it either). */
    private static String decodedName(String name) {
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return name;
        }
    }

    /** The raw query string, without the {@code ?}, or null when there is none. */
    public String rawQuery() {
        int question = pathAndQuery.indexOf('?');
        return question < 0 ? null : pathAndQuery.substring(question + 1);
    }
}
