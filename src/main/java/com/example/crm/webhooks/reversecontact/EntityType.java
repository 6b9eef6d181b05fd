package com.example.crm.webhooks.reversecontact;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a resolve callback's {@code type} names: the value of {@code enrichment_jobs.entity_type},
 * the table the entity lives in, and the name of its picture in R2. Names here are constants,
 * never taken from a request.
 */
public enum EntityType {

    COMPANY("company", "companies", "logo"),
    CONTACT("contact", "contacts", "avatar"),
    PERSON("person", "people", null);

    private final String code;
    private final String table;
    private final String imageName;

    EntityType(String code, String table, String imageName) {
        this.code = code;
        this.table = table;
        this.imageName = imageName;
    }

    /** The value of the {@code type} query parameter and of {@code enrichment_jobs.entity_type}. */
    public String code() {
        return code;
    }

    public String table() {
        return table;
    }

    /** Whether the profile's picture is copied to R2 for this type (people keep none). */
    public boolean keepsImage() {
        return imageName != null;
    }

    /** The object's name under the entity's prefix, {@code companies/<id>/logo.png}. */
    public String imageName() {
        return imageName;
    }

    public static Optional<EntityType> fromCode(String code) {
        return Arrays.stream(values()).filter(t -> t.code.equals(code)).findFirst();
    }
}
