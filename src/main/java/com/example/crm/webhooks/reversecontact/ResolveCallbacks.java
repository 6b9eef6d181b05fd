package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.enrichment.EntityType;
import com.example.crm.webhooks.http.WebhookRejection;
import com.example.crm.webhooks.http.WebhookRequests;
import com.example.crm.webhooks.operations.WebhookOutcomeLog;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reverse Contact's resolve callback ({@code routes/reversecontact-resolve.camel.yaml}): reads the
 * entity from the query string and the LinkedIn URL from the body, then stores the URL and queues
 * the enrichment job in one statement. Nothing here calls a third party.
 */
@Component("resolveCallbacks")
public class ResolveCallbacks {

    private static final int MAX_ID_LENGTH = 200;

    private final ObjectMapper objectMapper;
    private final NamedParameterJdbcTemplate jdbc;
    private final WebhookRequests webhookRequests;

    public ResolveCallbacks(ObjectMapper objectMapper, NamedParameterJdbcTemplate jdbc, WebhookRequests webhookRequests) {
        this.objectMapper = objectMapper;
        this.jdbc = jdbc;
        this.webhookRequests = webhookRequests;
    }

    /**
     * The callback's entity and URL, or a 400 naming what is wrong. Writes nothing. The entity
     * ({@code type:id}) names the callback in the log line.
     */
    public ResolveCallback parse(Exchange exchange) {
        Map<String, List<String>> query = webhookRequests.queryParameters(exchange);
        String typeCode = single(query, "type");
        EntityType type = EntityType.fromCode(typeCode == null ? "" : typeCode)
                .orElseThrow(() -> WebhookRejection.badRequest("query parameter type must be company, contact or person"));
        String id = single(query, "id");
        if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw WebhookRejection.badRequest("query parameter id is required");
        }
        WebhookOutcomeLog.identify(exchange, type.code() + ":" + id);
        String url = linkedinUrl(exchange.getMessage().getBody(String.class));
        String normalised = LinkedInUrls.normalise(url)
                .orElseThrow(() -> WebhookRejection.badRequest("data.linkedinUrl is not an http(s) linkedin.com URL"));
        return new ResolveCallback(type, id, normalised);
    }

    /**
     * Saves the URL on the entity and adds its enrichment job, atomically (one statement). A job
     * already open for the same entity and URL is kept instead (partial unique index
     * {@code enrichment_jobs_one_open}). 404 when the entity does not exist; then nothing changed.
     * Returns the number of jobs queued: 0 for a repeated callback.
     */
    public int record(ResolveCallback callback) {
        // Table name from the enum, never from the request. updated_at moves only when the URL changes.
        String sql = """
                with entity as (
                    update %s
                       set linkedin_url = :url,
                           updated_at = case when linkedin_url is distinct from :url then now() else updated_at end
                     where id = :id
                    returning id),
                job as (
                    insert into enrichment_jobs (entity_type, entity_id, linkedin_url)
                    select :type, id, :url from entity
                    on conflict (entity_type, entity_id, linkedin_url) where state in ('pending', 'running')
                    do nothing
                    returning id)
                select (select count(*) from entity) as entities, (select count(*) from job) as jobs"""
                .formatted(callback.type().table());
        Map<String, Object> counts = jdbc.queryForMap(sql, new MapSqlParameterSource()
                .addValue("url", callback.linkedinUrl())
                .addValue("id", callback.entityId())
                .addValue("type", callback.type().code()));
        if (((Number) counts.get("entities")).intValue() == 0) {
            throw WebhookRejection.notFound("no " + callback.type().code() + " with this id");
        }
        return ((Number) counts.get("jobs")).intValue();
    }

    private String linkedinUrl(String body) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : objectMapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw WebhookRejection.badRequest("invalid JSON");
        }
        if (root == null || !root.isObject()) {
            throw WebhookRejection.badRequest("invalid JSON: expected an object");
        }
        JsonNode data = root.path("data");
        JsonNode url = data.path("linkedinUrl");
        if (url.isMissingNode() || url.isNull()) {
            url = data.path("linkedInUrl"); // both spellings are seen in Reverse Contact's payloads
        }
        if (!url.isTextual()) {
            throw WebhookRejection.badRequest("data.linkedinUrl is required");
        }
        return url.textValue();
    }

    /** One value per name, or a 400: {@code ?type=company&type=person} is ambiguous. */
    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw WebhookRejection.badRequest("query parameter " + name + " given more than once");
        }
        return values.isEmpty() ? null : values.get(0);
    }
}
