package com.example.crm.webhooks.reversecontact;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Reverse Contact profile change alert that passed the request checks.
 *
 * @param subscriptionId the monitoring subscription, naming the person ({@code people.alert_subscription_id})
 * @param payload the alert exactly as received (JSON text), stored so nothing is lost
 * @param person {@code data.person}, or null when the alert carries none
 */
public record ProfileChangeAlert(String subscriptionId, String payload, ObjectNode person) {
}
