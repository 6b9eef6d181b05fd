package com.example.crm.webhooks.images;

/** An image copied from a profile: its bytes, its (checked) content type and the file extension for it. */
public record FetchedImage(byte[] bytes, String contentType, String extension) {
}
