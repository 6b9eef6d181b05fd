package com.example.crm.webhooks.images;

/**
 * An image the service will not copy: a URL that is not http(s), a host that resolves to a private,
 * loopback, link-local or metadata address, an answer that is not an allowed image, too large, or
 * a download that failed. Never retried: the profile is kept without the picture.
 */
public class ImageRefusedException extends Exception {

    public ImageRefusedException(String message) {
        super(message, null, false, false);
    }
}
