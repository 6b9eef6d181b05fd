package com.example.crm.webhooks.edge;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
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
 * takes the body as bytes (413 past the limit, 408 when it stopped arriving), and makes the message
 * a {@link WebhookDelivery}: the raw body, the raw path and query, the headers routes read, the time
 * it arrived, also kept as the variable {@value #DELIVERY_VARIABLE}. Every later step works on those
 * plain values. The webhook template (routes/webhook.camel.yaml) calls it first, on a
 * {@code platform-http} endpoint with {@code useBodyHandler=false}, so no body handler parses the
 * body: {@code bean: {ref: webhookRequests, method: form}} or {@code json}, as its {@link Body} says.
 *
 * <p>The public port has read the body already, on the event loop, before this step's worker
 * thread was given the request ({@link BodyReader}), so no worker waits for a slow body. It leaves
 * unread only a body this step refuses without it (another content type, a Content-Length past the
 * limit), knowing which content type the route takes from its declared {@link Body}
 * ({@code publicport.WebhookHttpEngine}, {@link WebhookCatalog}).
 */
@Component(WebhookRequests.BEAN_NAME)
public class WebhookRequests {

    /** The bean's name, as routes refer to it. */
    public static final String BEAN_NAME = "webhookRequests";

    private final long maxBodyBytes;
    private final Duration bodyTimeout;

    public WebhookRequests(@Value("${webhooks.max-body-bytes}") long maxBodyBytes,
                           @Value("${webhooks.body-timeout}") Duration bodyTimeout) {
        this.maxBodyBytes = maxBodyBytes;
        this.bodyTimeout = bodyTimeout;
    }

    /**
     * How a webhook's body is read: the template parameter {@code body} of its route
     * (routes/webhook.camel.yaml), which is also the name of the method that reads it.
     */
    public enum Body {
        /** {@code application/x-www-form-urlencoded} (Twilio). */
        FORM(MediaType.APPLICATION_FORM_URLENCODED),
        /** {@code application/json}, or a {@code +json} type (Reverse Contact). */
        JSON(MediaType.APPLICATION_JSON);

        private final MediaType mediaType;

        Body(MediaType mediaType) {
            this.mediaType = mediaType;
        }

        public MediaType mediaType() {
            return mediaType;
        }

        /** The template parameter's value: form or json. */
        public String parameter() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The body of this template parameter's value, if it names one. */
        public static Optional<Body> of(String parameter) {
            return Arrays.stream(values()).filter(body -> body.parameter().equals(parameter)).findFirst();
        }
    }

    /** The exchange variable holding the delivery as received: what the intake spool keeps if the database cannot take it. */
    public static final String DELIVERY_VARIABLE = "delivery";

    /**
     * The exchange variable holding the client's address (the TCP peer of the public port): the
     * intake spool bounds what one client may spool by it. Not part of the delivery: nothing keeps it.
     */
    public static final String CLIENT_ADDRESS_VARIABLE = "clientAddress";

    /** Reads a form body ({@code body: form}). */
    public void form(Exchange exchange) {
        read(exchange, Body.FORM.mediaType());
    }

    /** Reads a JSON body ({@code body: json}). */
    public void json(Exchange exchange) {
        read(exchange, Body.JSON.mediaType());
    }

    /** Whether a request with this Content-Type header is one a webhook taking {@code expected} reads (JSON: any +json type too). */
    public static boolean takes(MediaType expected, String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return false;
        }
        MediaType actual;
        try {
            actual = MediaType.parseMediaType(contentType);
        } catch (InvalidMediaTypeException e) {
            return false;
        }
        boolean json = MediaType.APPLICATION_JSON.equals(expected)
                && "application".equals(actual.getType()) && actual.getSubtype().endsWith("+json");
        return expected.equalsTypeAndSubtype(actual) || json;
    }

    private void read(Exchange exchange, MediaType expected) {
        Instant receivedAt = Instant.now();
        Message message = exchange.getMessage();
        // The request's own headers, as the public port read them when it decided whether to read the body.
        HttpServerRequest request = httpRequest(exchange);
        requireContentType(request, expected);
        requireSizeWithinLimit(request);
        WebhookDelivery delivery = WebhookDelivery.received(exchange.getFromRouteId(), request, body(message), receivedAt);
        message.setBody(delivery);
        exchange.setVariable(DELIVERY_VARIABLE, delivery);
        SocketAddress client = request.remoteAddress();
        exchange.setVariable(CLIENT_ADDRESS_VARIABLE, client == null ? "" : client.hostAddress());
    }

    private static HttpServerRequest httpRequest(Exchange exchange) {
        if (exchange.getIn() instanceof HttpMessage message) {
            return message.getRequest();
        }
        throw new IllegalStateException("not an HTTP request: " + exchange.getFromEndpoint());
    }

    /**
     * The body's bytes, as the public port read them (a body past the size limit is a 413, one that
     * did not arrive in full within the body timeout a 408), or as another caller gave them.
     */
    private byte[] body(Message message) {
        Object body = message.getBody();
        if (body instanceof ReceivedBody received) {
            return switch (received.outcome()) {
                case COMPLETE -> received.bytes();
                case TOO_LARGE -> throw tooLarge();
                case TIMED_OUT -> throw new WebhookRejection(408, "request body not received within " + bodyTimeout.toSeconds() + " s");
            };
        }
        if (body instanceof HttpServerRequest) {
            throw new IllegalStateException("the public port left the body of a request its route takes unread");
        }
        byte[] bytes = message.getBody(byte[].class);
        if (bytes != null && bytes.length > maxBodyBytes) {
            throw tooLarge();
        }
        return bytes == null ? new byte[0] : bytes;
    }

    private static void requireContentType(HttpServerRequest request, MediaType expected) {
        if (!takes(expected, request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            throw WebhookRejection.unsupportedMediaType("Content-Type must be " + expected);
        }
    }

    private void requireSizeWithinLimit(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
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
