package com.example.crm.webhooks.edge;

/**
 * A request the service refuses, with the HTTP status and the message the caller gets as
 * {@code {"error": "..."}}. Thrown before anything is written, so a rejection changes no data.
 * The message must not echo secrets; it may name the field that was wrong.
 */
public class WebhookRejection extends RuntimeException {

    private final int status;
    private String deliveryId;

    public WebhookRejection(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int getStatus() {
        return status;
    }

    /** Names the delivery refused, when it was known before the fault was found (for the log line). */
    public WebhookRejection about(String deliveryId) {
        this.deliveryId = deliveryId;
        return this;
    }

    /** The provider's id of the delivery refused, or null when the request was refused before it was read. */
    public String deliveryId() {
        return deliveryId;
    }

    public static WebhookRejection badRequest(String message) {
        return new WebhookRejection(400, message);
    }

    public static WebhookRejection forbidden(String message) {
        return new WebhookRejection(403, message);
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
