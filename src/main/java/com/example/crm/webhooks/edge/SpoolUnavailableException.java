package com.example.crm.webhooks.edge;

/**
 * Neither the database, nor R2, nor the spool directory could take a delivery: the caller gets 503
 * with Retry-After, the only answer left that loses nothing.
 */
public class SpoolUnavailableException extends RuntimeException {

    public SpoolUnavailableException(String message) {
        super(message, null, false, false);
    }
}
