package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.edge.FormParameters;
import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.edge.LogDeliveryId;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Reads Reverse Contact's resolve callback ({@code routes/reversecontact-resolve.camel.yaml}): the
 * entity from the query string the CRM gave Reverse Contact, the result from the body
 * ({@link ResolveResult}: resolved, no match or errored). Writes nothing and calls nothing: the
 * route records the callback, and for a resolved one stores the URL and queues the enrichment.
 */
@Component("resolveCallbacks")
public class ResolveCallbacks {

    /** The longest entity id a callback may name. */
    public static final int MAX_ID_LENGTH = 200;

    private final ObjectReader json;

    public ResolveCallbacks(ObjectMapper objectMapper) {
        // "{} trailing" is not one JSON document: refuse it here rather than have jsonb refuse the payload.
        this.json = objectMapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * {@code entityType} (company, contact or person), {@code entityId}, {@code outcome} (resolved,
     * no_match or errored), the normalised {@code linkedinUrl} (resolved only, else null),
     * {@code errorCode} (errored, when given), {@code payload} (the body as received, JSON text),
     * {@code receivedAt}, and {@code type:id} as the delivery's id; or a 400 naming what is wrong.
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
        ResolveResult result;
        try {
            result = ResolveResult.of(delivery.bodyJson(json));
        } catch (WebhookRejection refused) {
            throw refused.about(deliveryId);
        }
        // Every key, null ones too: the sql: steps take each as a named parameter.
        Map<String, Object> callback = new HashMap<>();
        callback.put(LogDeliveryId.KEY, deliveryId);
        callback.put("entityType", type.code());
        callback.put("entityId", id);
        callback.put("outcome", result.outcome());
        callback.put("linkedinUrl", result.linkedinUrl());
        callback.put("errorCode", result.errorCode());
        callback.put("payload", delivery.bodyText());
        callback.put("receivedAt", delivery.receivedAtUtc());
        return callback;
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
