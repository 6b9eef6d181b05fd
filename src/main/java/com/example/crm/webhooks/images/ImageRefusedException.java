package com.example.crm.webhooks.images;

import com.example.crm.webhooks.logging.LogText;
import java.util.Locale;

/**
 * An image the service will not copy: a URL that is not http(s), a host that resolves to a private,
 * loopback, link-local or metadata address, an answer that is not an allowed image, too large, or
 * a download that failed or took too long. Never retried: the profile is kept without the picture.
 * The message, logged and kept in enrichment_jobs.last_error, quotes a URL from a third party's
 * payload: its line breaks and controls are escaped. The {@link Reason} labels metrics.
 */
public class ImageRefusedException extends Exception {

    /** Why, in a word: a metric's label. */
    public enum Reason {
        URL, HOST_NOT_LISTED, ADDRESS, REDIRECTS, HTTP_STATUS, CONTENT_TYPE, TOO_LARGE, DEADLINE, UNAVAILABLE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final int MAX_MESSAGE_LENGTH = 500;

    private final Reason reason;

    public ImageRefusedException(Reason reason, String message) {
        super(LogText.escape(message, MAX_MESSAGE_LENGTH), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
