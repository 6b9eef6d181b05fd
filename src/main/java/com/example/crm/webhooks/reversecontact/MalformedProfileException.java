package com.example.crm.webhooks.reversecontact;

/** Reverse Contact answered 2xx with something that is not a profile: retrying would not help. */
public class MalformedProfileException extends RuntimeException {

    public MalformedProfileException(String message) {
        super(message);
    }
}
