package com.example.crm.webhooks.enrichment;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a resolve callback's {@code type} names, with the table it lives in and what enrichment
 * fetches for it. Table and column names are constants here, never taken from a request.
 */
public enum EntityType {

    COMPANY("company", "companies", "companies", "logo_key", "logo"),
    CONTACT("contact", "contacts", "persons", "profile_picture_key", "avatar"),
    PERSON("person", "people", "persons", null, null);

    private final String code;
    private final String table;
    private final String fetchKind;
    private final String imageKeyColumn;
    private final String imageName;

    EntityType(String code, String table, String fetchKind, String imageKeyColumn, String imageName) {
        this.code = code;
        this.table = table;
        this.fetchKind = fetchKind;
        this.imageKeyColumn = imageKeyColumn;
        this.imageName = imageName;
    }

    /** The value of the {@code type} query parameter and of {@code enrichment_jobs.entity_type}. */
    public String code() {
        return code;
    }

    public String table() {
        return table;
    }

    /** The Reverse Contact endpoint, {@code /v2/fetch/<fetchKind>}. */
    public String fetchKind() {
        return fetchKind;
    }

    /** Whether the profile's picture is copied to R2 for this type (people keep none). */
    public boolean keepsImage() {
        return imageKeyColumn != null;
    }

    public String imageKeyColumn() {
        return imageKeyColumn;
    }

    /** The object's name under the entity's prefix, {@code companies/<id>/logo.png}. */
    public String imageName() {
        return imageName;
    }

    public static Optional<EntityType> fromCode(String code) {
        return Arrays.stream(values()).filter(t -> t.code.equals(code)).findFirst();
    }
}
