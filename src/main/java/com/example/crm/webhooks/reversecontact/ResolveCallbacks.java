package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.http.FormParameters;
import com.example.crm.webhooks.http.WebhookDelivery;
import com.example.crm.webhooks.http.WebhookRejection;
import com.example.crm.webhooks.http.LogDeliveryId;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Reads Reverse Contact's resolve callback ({@code routes/reversecontact-resolve.camel.yaml}): the
 * entity from the query string the CRM gave Reverse Contact, the LinkedIn URL from the body.
 * Writes nothing and calls nothing: the route stores the URL and queues the enrichment.
 */
@Component("resolveCallbacks")
public class ResolveCallbacks {

    private static final int MAX_ID_LENGTH = 200;

    private final ObjectMapper objectMapper;

    public ResolveCallbacks(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    /**
     * {@code entityType} (company, contact or person), {@code entityId}, the normalised
     * {@code linkedinUrl}, {@code receivedAt}, and {@code type:id} as the delivery's id; or a 400 naming what is wrong.
     * Query parameters are read from the raw query, not from Camel's header copies, which a field of
     * the same name could stand in for.
     */
    public Map<String, Object> read(WebhookDelivery delivery) {
        Map<String, List<String>> query = FormParameters.ofQuery(delivery.rawQuery());
        String typeCode = single(query, "type");
        EntityType type = EntityType.fromCode(typeCode == null ? "" : typeCode)
                .orElseThrow(() -> WebhookRejection.badRequest("query parameter type must be company, contact or person"));
        String id = single(query, "id");
        if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw WebhookRejection.badRequest("query parameter id is required");
        }
        String deliveryId = type.code() + ":" + id;
        String url;
        try {
            url = LinkedInUrls.normalise(linkedinUrl(delivery.bodyText()))
                    .orElseThrow(() -> WebhookRejection.badRequest("data.linkedinUrl is not an http(s) linkedin.com URL"));
        } catch (WebhookRejection refused) {
            throw refused.about(deliveryId);
        }
        Map<String, Object> callback = new HashMap<>();
        callback.put(LogDeliveryId.KEY, deliveryId);
        callback.put("entityType", type.code());
        callback.put("entityId", id);
        callback.put("linkedinUrl", url);
        callback.put("receivedAt", delivery.receivedAtUtc());
        return callback;
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
