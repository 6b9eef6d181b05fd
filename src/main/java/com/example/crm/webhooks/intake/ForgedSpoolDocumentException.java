package com.example.crm.webhooks.intake;

/**
 * A document in the intake spool whose MAC does not verify: this service did not write it (or wrote it
 * under another key). Never applied; the drain sets it aside as a refused delivery, so an operator sees
 * it and can put it through its webhook's full checks.
 */
public class ForgedSpoolDocumentException extends UnreadableSpoolException {

    public ForgedSpoolDocumentException() {
        super("failed its MAC: not a delivery this service spooled");
    }
}
