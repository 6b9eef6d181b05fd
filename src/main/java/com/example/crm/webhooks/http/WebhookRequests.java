package com.example.crm.webhooks.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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
 * The HTTP edge of every webhook, and the only step that sees the HTTP request: it checks what
 * needs nothing but the request (the content type the webhook takes, 415; the size limit, 413),
 * reads the body as bytes (408 when it stops arriving), and makes the message a
 * {@link WebhookDelivery}: the raw body, the raw path and query, the headers routes read, the time
 * it arrived. Every later step works on those plain values. Routes call it first, on a
 * {@code platform-http} endpoint with {@code useBodyHandler=false}, so the body arrives unread and
 * unparsed, as it came on the wire: {@code bean: {ref: webhookRequests, method: readForm}}.
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
    public void readForm(Exchange exchange) {
        read(exchange, MediaType.APPLICATION_FORM_URLENCODED);
    }

    /** Reverse Contact posts JSON ({@code application/json}, or a {@code +json} type). */
    public void readJson(Exchange exchange) {
        read(exchange, MediaType.APPLICATION_JSON);
    }

    private void read(Exchange exchange, MediaType expected) {
        Instant receivedAt = Instant.now();
        Message message = exchange.getMessage();
        requireContentType(message, expected);
        requireSizeWithinLimit(message);
        HttpServerRequest request = httpRequest(exchange);
        byte[] body = readBody(message, request);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : WebhookDelivery.KEPT_HEADERS) {
            String value = request.getHeader(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        // Raw path and query, as they were on the wire and in the URL Twilio signed.
        message.setBody(new WebhookDelivery(exchange.getFromRouteId(), request.uri(), headers, body, receivedAt));
    }

    private static HttpServerRequest httpRequest(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage message) {
            return message.getRequest();
        }
        throw new IllegalStateException("not an HTTP request: " + exchange.getFromEndpoint());
    }

    /**
     * The body, read from the wire as bytes. A body past the size limit is a 413 (a chunked request
     * sends no Content-Length), one that does not arrive within the timeout a 408.
     */
    private byte[] readBody(Message message, HttpServerRequest request) {
        if (!(message.getBody() instanceof HttpServerRequest)) {
            byte[] body = message.getBody(byte[].class);
            if (body != null && body.length > maxBodyBytes) {
                throw tooLarge();
            }
            return body == null ? new byte[0] : body;
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
        try {
            return read.get(bodyTimeout.toMillis(), TimeUnit.MILLISECONDS);
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
    }

    private void requireContentType(Message message, MediaType expected) {
        String header = message.getHeader(Exchange.CONTENT_TYPE, String.class);
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

    private void requireSizeWithinLimit(Message message) {
        String length = message.getHeader("Content-Length", String.class);
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
