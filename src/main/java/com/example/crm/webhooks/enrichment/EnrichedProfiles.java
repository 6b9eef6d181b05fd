package com.example.crm.webhooks.enrichment;

import com.example.crm.webhooks.images.FetchedImage;
import com.example.crm.webhooks.reversecontact.EntityType;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Maps what Reverse Contact returned onto the columns of the job's entity, for the route's
 * {@code sql:} updates (routes/enrichment.camel.yaml), and names the R2 object of its picture.
 * Every value is idempotent (same values, same object key), so a job that runs twice does no harm.
 * Each map carries {@code entityId} and {@code linkedinUrl}: the route's updates apply only while
 * the entity still has the URL the job was for, so a stale profile is discarded; and the job's
 * {@code jobId} and {@code leaseOwner}: they apply only while the job still holds its lease.
 */
@Component("enrichedProfiles")
public class EnrichedProfiles {

    /**
     * A company's columns: {@code description}, {@code specialties} (a text array, or null),
     * {@code name} (kept only where the company has none), the raw {@code profile}, and
     * {@code pictureUrl}, its logo.
     */
    public Map<String, Object> company(Map<String, Object> job, JsonNode profile) {
        Map<String, Object> columns = entity(job, profile);
        columns.put("description", text(profile, "description"));
        columns.put("specialties", specialties(profile));
        columns.put("name", text(profile, "name"));
        columns.put("pictureUrl", text(profile, "logo", "logoUrl"));
        return columns;
    }

    /**
     * A contact's or person's columns: {@code headline}, {@code firstName} and {@code lastName}
     * (kept only where empty), the raw {@code profile}, and {@code pictureUrl}, the profile photo
     * (contacts keep it; people keep none).
     */
    public Map<String, Object> person(Map<String, Object> job, JsonNode profile) {
        Map<String, Object> columns = entity(job, profile);
        columns.put("headline", text(profile, "headline"));
        columns.put("firstName", text(profile, "firstName"));
        columns.put("lastName", text(profile, "lastName"));
        boolean keepsPicture = EntityType.fromCode((String) job.get("entity_type")).map(EntityType::keepsImage).orElse(false);
        columns.put("pictureUrl", keepsPicture ? text(profile, "photoUrl", "profilePictureUrl") : null);
        return columns;
    }

    /**
     * A stable key per entity, {@code companies/<id>/logo.png}: a second run overwrites the same
     * object. The id is one segment, percent-encoded ({@code /} too), and never {@code .} or
     * {@code ..}: S3 servers and clients resolve those, {@code companies/./logo.png} would become
     * {@code companies/logo.png}.
     */
    public String imageKey(Map<String, Object> job, FetchedImage image) {
        EntityType type = EntityType.fromCode((String) job.get("entity_type"))
                .filter(EntityType::keepsImage)
                .orElseThrow(() -> new IllegalArgumentException("no picture is kept for " + job.get("entity_type")));
        return type.table() + "/" + keySegment((String) job.get("entity_id")) + "/" + type.imageName() + "." + image.extension();
    }

    /** The id percent-encoded, its dots too when it is nothing but dots (an id "%2E" encodes as "%252E": no clash). */
    private static String keySegment(String id) {
        String encoded = URLEncoder.encode(id, StandardCharsets.UTF_8);
        return encoded.equals(".") || encoded.equals("..") ? encoded.replace(".", "%2E") : encoded;
    }

    private static Map<String, Object> entity(Map<String, Object> job, JsonNode profile) {
        Map<String, Object> columns = new HashMap<>();
        columns.put("jobId", job.get("id"));
        columns.put("leaseOwner", job.get("lease_owner"));
        columns.put("entityId", job.get("entity_id"));
        columns.put("linkedinUrl", job.get("linkedin_url"));
        columns.put("profile", profile.toString());
        return columns;
    }

    /** The first of {@code names} that is a non-blank string. */
    private static String text(JsonNode data, String... names) {
        for (String name : names) {
            JsonNode value = data.path(name);
            if (value.isTextual() && !value.textValue().isBlank()) {
                return value.textValue().strip();
            }
        }
        return null;
    }

    /** {@code specialities} (Reverse Contact's spelling) or {@code specialties}: an array or a comma list. */
    private static String[] specialties(JsonNode data) {
        JsonNode value = data.path("specialities");
        if (value.isMissingNode() || value.isNull()) {
            value = data.path("specialties");
        }
        List<String> items = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(item -> {
                if (item.isTextual() && !item.textValue().isBlank()) {
                    items.add(item.textValue().strip());
                }
            });
        } else if (value.isTextual()) {
            Arrays.stream(value.textValue().split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(items::add);
        } else {
            return null;
        }
        return items.toArray(String[]::new);
    }
}
