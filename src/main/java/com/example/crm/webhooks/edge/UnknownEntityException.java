package com.example.crm.webhooks.edge;

/**
 * 404: the delivery names something the CRM does not have (a subscription no person has, an entity
 * id no company, contact or person has). A route throws it with {@code throwException}; nothing
 * was written.
 */
public class UnknownEntityException extends WebhookRejection {

    public UnknownEntityException(String message) {
        super(404, message);
    }
}
