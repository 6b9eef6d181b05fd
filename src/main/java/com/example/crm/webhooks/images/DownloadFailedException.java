package com.example.crm.webhooks.images;

/**
 * A download that failed for a reason that may pass: the host answered 429 or 5xx, or the
 * connection failed or dropped (a deadline is a refusal, not this). A picture is still kept
 * without it (it is an {@link ImageRefusedException}); a media copy job tries again later.
 */
public class DownloadFailedException extends ImageRefusedException {

    public DownloadFailedException(String message) {
        super(Reason.UNAVAILABLE, message);
    }
}
