package com.example.crm.webhooks.enrichment;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.images.FetchedImage;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * R2 object keys of pictures: one segment per entity id, whatever the id holds. S3 servers (and the
 * HTTP clients in front of them) resolve "." and ".." path segments, so {@code companies/./logo.png}
 * would be stored as {@code companies/logo.png}, shared by every company with that id spelling.
 */
class EnrichedProfilesTest {

    private static final FetchedImage PNG = new FetchedImage(new byte[0], "image/png", "png");

    private final EnrichedProfiles profiles = new EnrichedProfiles();

    @Test
    void aPlainIdIsItsOwnSegment() {
        assertThat(profiles.imageKey(company("co-1"), PNG)).isEqualTo("companies/co-1/logo.png");
        assertThat(profiles.imageKey(contact("acme.example"), PNG)).isEqualTo("contacts/acme.example/avatar.png");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "./..", "../x", "x/..", "a/./b", "/", "//"})
    void noIdMakesADotSegmentOrAnotherPrefix(String id) {
        String key = profiles.imageKey(company(id), PNG);

        assertThat(key).startsWith("companies/").endsWith("/logo.png");
        String segment = key.substring("companies/".length(), key.length() - "/logo.png".length());
        assertThat(segment).as("the id's segment in %s", key).isNotEmpty().doesNotContain("/").isNotIn(".", "..");
    }

    @Test
    void differentIdsNeverShareAKey() {
        assertThat(profiles.imageKey(company("."), PNG))
                .isNotEqualTo(profiles.imageKey(company(".."), PNG))
                .isNotEqualTo(profiles.imageKey(company("%2E"), PNG));
        assertThat(profiles.imageKey(company(".."), PNG)).isNotEqualTo(profiles.imageKey(company("%2E%2E"), PNG));
    }

    private static Map<String, Object> company(String id) {
        return Map.of("entity_type", "company", "entity_id", id);
    }

    private static Map<String, Object> contact(String id) {
        return Map.of("entity_type", "contact", "entity_id", id);
    }
}
