package com.example.crm.webhooks.edge;

/**
 * Why a webhook refused a delivery whose body arrived in full: the status it answered, the kind of
 * refusal ({@link WebhookMetrics.Reason}'s label: signature, validation, unknown_entity, ...), the
 * rejection's message, and whether the delivery had passed its authentication by then (a replay
 * does not check it again: the query's credentials are not kept).
 */
public record Refusal(int status, String reason, String message, boolean authenticated) {

    /** The exchange property the webhook template sets once a delivery passed its authentication. */
    public static final String AUTHENTICATED_PROPERTY = "webhookAuthenticated";
    /** The exchange variable a refusal being kept travels in (the intake spool marks its document with it). */
    public static final String VARIABLE = "refusal";
}
