package com.example.crm.webhooks.intake;

import com.example.crm.webhooks.edge.Refusal;
import com.example.crm.webhooks.edge.WebhookDelivery;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A delivery in the intake spool: the delivery as received, and the id it is applied under once
 * (the {@code intake_ledger} key). Its name starts with the time it was received, so the spool
 * lists in receive order: {@code 20261130T051502.123456Z-twilio-inbound-<id>.json}, in the spool
 * directory and under the intake prefix in R2. A delivery the webhook refused carries its
 * {@code refusal}: the drain records it as a refused delivery and never applies it.
 */
public record SpooledDelivery(String id, WebhookDelivery delivery, Refusal refusal) {

    /** A delivery that passed its webhook's checks. */
    public SpooledDelivery(String id, WebhookDelivery delivery) {
        this(id, delivery, null);
    }

    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** The length of a name's time and of its id (a UUID), each with the dash that sets it apart. */
    private static final int TIME_AND_DASH = "20261130T051502.123456Z-".length();
    private static final int DASH_AND_ID = "-00000000-0000-0000-0000-000000000000".length();
    private static final String SUFFIX = ".json";

    /** Its file name in the spool directory, and the last part of its R2 key. */
    public String fileName() {
        return NAME_TIME.format(delivery.receivedAt()) + "-" + delivery.route() + "-" + id + ".json";
    }

    /**
     * The webhook a spooled delivery's file name (or the last part of its R2 key) names, without
     * reading it; null for a name that is no spooled delivery's.
     */
    public static String routeOf(String name) {
        String fileName = name.substring(name.lastIndexOf('/') + 1);
        if (!fileName.endsWith(SUFFIX) || fileName.length() <= TIME_AND_DASH + DASH_AND_ID + SUFFIX.length()) {
            return null;
        }
        return fileName.substring(TIME_AND_DASH, fileName.length() - SUFFIX.length() - DASH_AND_ID);
    }

    /** The webhook it came in on, whose reader and store route apply it (routes/intake.camel.yaml). */
    public String route() {
        return delivery.route();
    }
}
