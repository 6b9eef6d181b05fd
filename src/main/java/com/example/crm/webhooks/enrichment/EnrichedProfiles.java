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
 * {@code sql:} update (routes/enrichment-jobs.camel.yaml), and names the R2 object of its picture.
 * Every value is idempotent (same values, same object key), so a job that runs twice does no harm.
 * The map carries {@code entityId} and {@code linkedinUrl}: the route's update applies only while
 * the entity still has the URL the job was for, so a stale profile is discarded; and the job's
 * {@code jobId} and {@code leaseOwner}: it applies only while the job still holds its lease.
 */
@Component("enrichedProfiles")
public class EnrichedProfiles {

    /**
     * The columns of the job's entity for the one profile update (sql/save-enrichment-profile.sql),
     * every key present whatever the type: a company's {@code description}, {@code specialties} (a
     * text array, or null) and {@code name} (kept only where the company has none); a contact's or
     * person's {@code headline}, {@code firstName} and {@code lastName} (kept only where empty); the
     * raw {@code profile}; and {@code pictureUrl}, the logo or profile photo (people keep none).
     */
    public Map<String, Object> columns(Map<String, Object> job, JsonNode profile) {
        Map<String, Object> columns = new HashMap<>();
        columns.put("entityType", job.get("entity_type"));
        columns.put("jobId", job.get("id"));
        columns.put("leaseOwner", job.get("lease_owner"));
        columns.put("entityId", job.get("entity_id"));
        columns.put("linkedinUrl", job.get("linkedin_url"));
        columns.put("profile", profile.toString());
        boolean company = "company".equals(job.get("entity_type"));
        columns.put("description", company ? text(profile, "description") : null);
        columns.put("specialties", company ? specialties(profile) : null);
        columns.put("name", company ? text(profile, "name") : null);
        columns.put("headline", company ? null : text(profile, "headline"));
        columns.put("firstName", company ? null : text(profile, "firstName"));
        columns.put("lastName", company ? null : text(profile, "lastName"));
        boolean keepsPicture = EntityType.fromCode((String) job.get("entity_type")).map(EntityType::keepsImage).orElse(false);
        columns.put("pictureUrl", !keepsPicture ? null
                : company ? text(profile, "logo", "logoUrl") : text(profile, "photoUrl", "profilePictureUrl"));
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
