package com.example.crm.webhooks.intake;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One pass's listing of the R2 spool, page by page: R2 (like S3) lists at most a page of keys per
 * call, so the drain asks for the next page after the last key it got until a page comes back
 * empty. Keys come in their name's order, which starts with the receive time.
 */
public final class R2SpoolListing {

    /** The most keys R2 lists in one call. */
    static final int PAGE_SIZE = 1000;

    private final String bucket;
    private final String prefix;
    private final List<S3Object> objects = new ArrayList<>();
    private String lastKey;
    private boolean complete;

    R2SpoolListing(String bucket, String prefix) {
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /** The request for the page after the keys listed so far. */
    public ListObjectsRequest nextPageRequest() {
        return ListObjectsRequest.builder().bucket(bucket).prefix(prefix).marker(lastKey).maxKeys(PAGE_SIZE).build();
    }

    /** A page R2 listed; an empty one, or one that does not move past the last key, ends the listing. */
    public void add(List<S3Object> page) {
        String pageLastKey = page.isEmpty() ? null : page.get(page.size() - 1).key();
        if (pageLastKey == null || (lastKey != null && pageLastKey.compareTo(lastKey) <= 0)) {
            complete = true;
            return;
        }
        objects.addAll(page);
        lastKey = pageLastKey;
    }

    public boolean isComplete() {
        return complete;
    }

    /** Every object listed so far. */
    public List<S3Object> objects() {
        return objects;
    }
}
