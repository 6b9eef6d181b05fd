package com.example.crm.webhooks.http;

/**
 * A request the service refuses, with the HTTP status and the message the caller gets as
 * {@code {"error": "..."}}. Thrown before anything is written, so a rejection changes no data.
 * The message must not echo secrets; it may name the field that was wrong.
 */
public class WebhookRejection extends RuntimeException {

    private final int status;

    public WebhookRejection(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int getStatus() {
        return status;
    }

    public static WebhookRejection badRequest(String message) {
        return new WebhookRejection(400, message);
    }

    public static WebhookRejection forbidden(String message) {
        return new WebhookRejection(403, message);
    }

    public static WebhookRejection notFound(String message) {
        return new WebhookRejection(404, message);
    }

    public static WebhookRejection payloadTooLarge(String message) {
        return new WebhookRejection(413, message);
    }

    public static WebhookRejection unsupportedMediaType(String message) {
        return new WebhookRejection(415, message);
    }

    /** The service itself is missing configuration a route needs: the caller is not at fault. */
    public static WebhookRejection notConfigured(String message) {
        return new WebhookRejection(500, message);
    }
}
