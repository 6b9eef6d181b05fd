package com.example.crm.webhooks.intake;

/** A file or object in the intake spool that is not a spooled delivery this service can read: kept as a dead letter. */
public class UnreadableSpoolException extends RuntimeException {

    public UnreadableSpoolException(String message) {
        super(message, null, false, false);
    }
}
