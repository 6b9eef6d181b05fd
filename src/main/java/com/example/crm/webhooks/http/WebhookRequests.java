package com.example.crm.webhooks.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

/**
 * What every webhook checks before it reads a request: the content type it takes (415 otherwise)
 * and the size limit (413); then it reads the body, as bytes, into the message. For Twilio's form
 * posts it gives the form parameters of the body alone. Routes call it first:
 * {@code bean: {ref: webhookRequests, method: requireForm}}, on a {@code platform-http} endpoint
 * with {@code useBodyHandler=false}: the body arrives unread and unparsed, as it came on the wire.
 */
@Component("webhookRequests")
public class WebhookRequests {

    private final long maxBodyBytes;
    private final Duration bodyTimeout;

    public WebhookRequests(@Value("${webhooks.max-body-bytes}") long maxBodyBytes,
                           @Value("${webhooks.body-timeout}") Duration bodyTimeout) {
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
    }

    /** Twilio posts {@code application/x-www-form-urlencoded}. */
    public void requireForm(Exchange exchange) {
        requireContentType(exchange, MediaType.APPLICATION_FORM_URLENCODED);
        requireSizeWithinLimit(exchange);
        readBody(exchange.getMessage());
    }

    /** Reverse Contact posts JSON ({@code application/json}, or a {@code +json} type). */
    public void requireJson(Exchange exchange) {
        requireContentType(exchange, MediaType.APPLICATION_JSON);
        requireSizeWithinLimit(exchange);
        readBody(exchange.getMessage());
    }

    /**
     * The form parameters of the request body, decoded as UTF-8, in arrival order, repeated names
     * kept. Query-string parameters are not among them: Twilio signs the body's parameters only.
     */
    public Map<String, List<String>> formParameters(Exchange exchange) {
        byte[] body = readBody(exchange.getMessage());
        return parseForm(body == null ? null : new String(body, StandardCharsets.UTF_8));
    }

    /** The HTTP request a platform-http exchange came with, for what only the wire has (raw URI, headers). */
    public static HttpServerRequest httpRequest(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage message) {
            return message.getRequest();
        }
        throw new IllegalStateException("not an HTTP request: " + exchange.getFromEndpoint());
    }

    /**
     * The body, read once from the wire into the message as bytes; later calls get those bytes.
     * A body past the size limit is a 413 (a chunked request sends no Content-Length), one that
     * does not arrive within the timeout a 408.
     */
    private byte[] readBody(Message message) {
        if (!(message.getBody() instanceof HttpServerRequest request)) {
            byte[] body = message.getBody(byte[].class);
            if (body != null && body.length > maxBodyBytes) {
                throw tooLarge();
            }
            return body;
        }
        CompletableFuture<byte[]> read = new CompletableFuture<>();
        Buffer received = Buffer.buffer();
        // Called on the connection's event loop; this thread waits for the end.
        request.handler(chunk -> {
            if (read.isDone()) {
                return; // past the limit: the rest is drained, unread
            }
            if (received.length() + chunk.length() > maxBodyBytes) {
                read.completeExceptionally(tooLarge());
            } else {
                received.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(read::completeExceptionally);
        request.endHandler(end -> read.complete(received.getBytes()));
        request.resume();
        byte[] body;
        try {
            body = read.get(bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebhookRejection rejection) {
                throw rejection;
            }
            throw WebhookRejection.badRequest("request body not received in full");
        } catch (TimeoutException e) {
            throw new WebhookRejection(408, "request body not received within " + bodyTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading a request body", e);
        }
        message.setBody(body);
        return body;
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
