package com.example.crm.webhooks.edge;

/**
 * A delivery that passed its webhook's checks while the webhook is paused, or while deliveries it
 * held still wait in the intake spool: the webhook template keeps it in the spool and answers as on
 * success ({@link PausedWebhooks}).
 */
public class WebhookHeldException extends RuntimeException {

    public WebhookHeldException(String webhook) {
        super("webhook " + webhook + " is paused or still applying what it held", null, false, false);
    }
}
