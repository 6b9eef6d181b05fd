package com.example.crm.webhooks.config;

import java.util.List;

/** Start-up stopped: webhook routes break the conventions every webhook keeps (edge.WebhookCatalog), one line per route. */
public class InvalidWebhooksException extends InvalidSettingsException {

    public InvalidWebhooksException(List<String> problems) {
        super("Webhook routes that break the webhook conventions:", problems);
    }

    @Override
    public String action() {
        return "Correct those routes (docs/adding-a-webhook.md says what a webhook's templatedRoute names) and start the service again.";
    }
}
