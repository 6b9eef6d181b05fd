package com.example.crm.webhooks.enrichment;

import com.example.crm.webhooks.storage.FetchedImage;
import com.example.crm.webhooks.storage.ImageRefusedException;
import com.example.crm.webhooks.storage.SafeImageFetcher;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.sql.Connection;
import java.sql.SQLException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes what Reverse Contact returned onto the entity, and prepares the copy of its logo or
 * profile picture to R2. Every write is idempotent (same values, same object key), so a job that
 * runs twice does no harm, and names the LinkedIn URL the job was for: when the entity is gone or
 * a newer callback changed its URL, the stale profile is discarded.
 */
@Component("enrichedProfiles")
public class EnrichedProfiles {

    /** Exchange property: the picture to copy, when the profile has one. */
    public static final String IMAGE_URL = "enrichmentImageUrl";
    /** Exchange property: the R2 key the picture is being uploaded under. */
    public static final String IMAGE_KEY = "enrichmentImageKey";
    /** Exchange property: what the job should remember although it succeeded (kept in last_error). */
    public static final String NOTE = "enrichmentNote";

    private static final Logger log = LoggerFactory.getLogger(EnrichedProfiles.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final ReverseContactApi api;
    private final SafeImageFetcher imageFetcher;

    public EnrichedProfiles(NamedParameterJdbcTemplate jdbc, ReverseContactApi api, SafeImageFetcher imageFetcher) {
        this.jdbc = jdbc;
        this.api = api;
        this.imageFetcher = imageFetcher;
    }

    /**
     * Saves the fetched profile (the body, Reverse Contact's answer) on the job's entity and sets
     * {@link #IMAGE_URL} when there is a picture to copy. A malformed answer throws
     * {@link MalformedProfileException}, which is not retried.
     */
    public void save(Exchange exchange) {
        EnrichmentJob job = exchange.getProperty(EnrichmentJob.PROPERTY, EnrichmentJob.class);
        JsonNode data = api.profileData(exchange.getMessage().getBody(String.class));
        MapSqlParameterSource parameters = new MapSqlParameterSource()
                .addValue("id", job.entityId())
                .addValue("url", job.linkedinUrl())
                .addValue("profile", data.toString());
        int updated;
        String imageUrl;
        if (job.type() == EntityType.COMPANY) {
            updated = jdbc.update("""
                    update companies
                       set description = coalesce(cast(:description as text), description),
                           specialties = coalesce(cast(:specialties as text[]), specialties),
                           name = coalesce(case when coalesce(name, '') = '' then cast(:name as text) end, name),
                           linkedin_profile = cast(:profile as jsonb),
                           enriched_at = now(), updated_at = now()
                     where id = :id and linkedin_url = :url""",
                    parameters
                            .addValue("description", text(data, "description"))
                            .addValue("specialties", specialties(data))
                            .addValue("name", text(data, "name")));
            imageUrl = text(data, "logo", "logoUrl");
        } else {
            // Table name from the enum (contacts or people), never from input.
            updated = jdbc.update("""
                    update %s
                       set headline = coalesce(cast(:headline as text), headline),
                           first_name = coalesce(case when coalesce(first_name, '') = '' then cast(:firstName as text) end, first_name),
                           last_name = coalesce(case when coalesce(last_name, '') = '' then cast(:lastName as text) end, last_name),
                           linkedin_profile = cast(:profile as jsonb),
                           enriched_at = now(), updated_at = now()
                     where id = :id and linkedin_url = :url""".formatted(job.type().table()),
                    parameters
                            .addValue("headline", text(data, "headline"))
                            .addValue("firstName", text(data, "firstName"))
                            .addValue("lastName", text(data, "lastName")));
            imageUrl = text(data, "photoUrl", "profilePictureUrl");
        }
        if (updated == 0) {
            exchange.setProperty(NOTE, "the " + job.type().code() + " is gone or has another LinkedIn URL now; profile discarded");
        } else if (job.type().keepsImage() && imageUrl != null) {
            exchange.setProperty(IMAGE_URL, imageUrl);
        }
    }

    /**
     * Downloads the picture safely and makes the exchange its R2 upload (body, key, content type,
     * length; nothing else), setting {@link #IMAGE_KEY}. A refused or failed download is not
     * retried: the profile stays saved without the picture, and the reason goes to the job's
     * last_error.
     */
    public void prepareImageUpload(Exchange exchange) {
        EnrichmentJob job = exchange.getProperty(EnrichmentJob.PROPERTY, EnrichmentJob.class);
        FetchedImage image;
        try {
            image = imageFetcher.fetch(exchange.getProperty(IMAGE_URL, String.class));
        } catch (ImageRefusedException refused) {
            log.warn("Enrichment job {}: picture of {} {} not copied: {}",
                    job.id(), job.type().code(), job.entityId(), refused.getMessage());
            exchange.setProperty(NOTE, "picture not copied: " + refused.getMessage());
            return;
        }
        String key = objectKey(job, image.extension());
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(AWS2S3Constants.KEY, key);
        message.setHeader(AWS2S3Constants.CONTENT_TYPE, image.contentType());
        message.setHeader(AWS2S3Constants.CONTENT_LENGTH, (long) image.bytes().length);
        message.setBody(image.bytes());
        exchange.setProperty(IMAGE_KEY, key);
    }

    /** Stores the uploaded picture's key on the entity (logo_key or profile_picture_key). */
    public void saveImageKey(Exchange exchange) {
        EnrichmentJob job = exchange.getProperty(EnrichmentJob.PROPERTY, EnrichmentJob.class);
        jdbc.update("update %s set %s = :key, updated_at = now() where id = :id and linkedin_url = :url"
                        .formatted(job.type().table(), job.type().imageKeyColumn()),
                new MapSqlParameterSource()
                        .addValue("key", exchange.getProperty(IMAGE_KEY, String.class))
                        .addValue("id", job.entityId())
                        .addValue("url", job.linkedinUrl()));
    }

    /** A stable key per entity, {@code companies/<id>/logo.png}: a second run overwrites the same object. */
    static String objectKey(EnrichmentJob job, String extension) {
        return job.type().table() + "/" + URLEncoder.encode(job.entityId(), StandardCharsets.UTF_8)
                + "/" + job.type().imageName() + "." + extension;
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
    private static SqlTypeValue specialties(JsonNode data) {
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
        String[] array = items.toArray(String[]::new);
        return new AbstractSqlTypeValue() {
            @Override
            protected Object createTypeValue(Connection connection, int sqlType, String typeName) throws SQLException {
                return connection.createArrayOf("text", array);
            }
        };
    }
}
