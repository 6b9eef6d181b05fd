package com.example.crm.webhooks.http;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * What every webhook checks before it reads a request: the content type it takes (415 otherwise)
 * and the size limit (413), and, for Twilio's form posts, the form parameters of the body alone.
 * Routes call it first: {@code bean: {ref: webhookRequests, method: requireForm}}.
 */
@Component("webhookRequests")
public class WebhookRequests {

    private final long maxBodyBytes;

    public WebhookRequests(@Value("${webhooks.max-body-bytes}") long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Twilio posts {@code application/x-www-form-urlencoded}. */
    public void requireForm(Exchange exchange) {
        requireContentType(exchange, MediaType.APPLICATION_FORM_URLENCODED);
        requireSizeWithinLimit(exchange);
    }

    /** Reverse Contact posts JSON ({@code application/json}, or a {@code +json} type). */
    public void requireJson(Exchange exchange) {
        requireContentType(exchange, MediaType.APPLICATION_JSON);
        requireSizeWithinLimit(exchange);
        String body = exchange.getMessage().getBody(String.class);
        if (body != null && body.length() > maxBodyBytes) {
            throw tooLarge(); // a chunked request sends no Content-Length: measure what arrived
        }
    }

    /**
     * The form parameters of the request body, decoded as UTF-8, in arrival order, repeated names
     * kept. Query-string parameters are not among them: Twilio signs the body's parameters only.
     * The route's endpoint must keep the raw body ({@code populateBodyWithForm=false}).
     */
    public Map<String, List<String>> formParameters(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof Map) {
            throw new IllegalStateException("set populateBodyWithForm=false on the platform-http endpoint");
        }
        String form = exchange.getMessage().getBody(String.class);
        if (form != null && form.length() > maxBodyBytes) {
            throw tooLarge();
        }
        return parseForm(form);
    }

    /**
     * The query string's parameters, decoded, repeated names kept: read from the raw query rather
     * than Camel's header copies, which a form field of the same name could stand in for. 400 on a
     * malformed escape.
     */
    public Map<String, List<String>> queryParameters(Exchange exchange) {
        return parse(exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class), false, "malformed query string");
    }

    static Map<String, List<String>> parseForm(String form) {
        // A form field is name=value: "name" alone or "=value" is not a form (JSON sent as a form, say).
        return parse(form, true, "malformed form body");
    }

    private static Map<String, List<String>> parse(String text, boolean requireValue, String malformed) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return parameters;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (requireValue && eq <= 0) {
                throw WebhookRejection.badRequest(malformed);
            }
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), malformed);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), malformed);
            parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    /** The inverse of {@link #parseForm}: every field as name=value, UTF-8 percent-encoded. */
    static String encodeForm(Map<String, List<String>> fields) {
        StringJoiner form = new StringJoiner("&");
        fields.forEach((name, values) -> values.forEach(value -> form.add(
                URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8))));
        return form.toString();
    }

    private static String decode(String encoded, String malformed) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw WebhookRejection.badRequest(malformed);
        }
    }

    private void requireContentType(Exchange exchange, MediaType expected) {
        String header = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (header == null || header.isBlank()) {
            throw WebhookRejection.unsupportedMediaType("Content-Type must be " + expected);
        }
        MediaType actual;
        try {
            actual = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            throw WebhookRejection.unsupportedMediaType("Content-Type must be " + expected);
        }
        boolean json = MediaType.APPLICATION_JSON.equals(expected)
                && "application".equals(actual.getType()) && actual.getSubtype().endsWith("+json");
        if (!expected.equalsTypeAndSubtype(actual) && !json) {
            throw WebhookRejection.unsupportedMediaType("Content-Type must be " + expected);
        }
    }

    private void requireSizeWithinLimit(Exchange exchange) {
        String length = exchange.getMessage().getHeader("Content-Length", String.class);
        if (length == null) {
            return;
        }
        try {
            if (Long.parseLong(length.trim()) > maxBodyBytes) {
                throw tooLarge();
            }
        } catch (NumberFormatException e) {
            throw WebhookRejection.badRequest("invalid Content-Length");
        }
    }

    private WebhookRejection tooLarge() {
        return WebhookRejection.payloadTooLarge("request body larger than " + maxBodyBytes + " bytes");
    }
}
