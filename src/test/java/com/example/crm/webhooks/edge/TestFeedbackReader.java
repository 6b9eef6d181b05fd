package com.example.crm.webhooks.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The authentication and reader of the test's fifth webhook (src/test/resources/fifth-webhook):
 * what a real webhook's reader does, in a few lines. Its caller proves itself with {@code ?key=}.
 */
public class TestFeedbackReader {

    public static final String KEY = "feedback-key";

    private final ObjectMapper json;

    public TestFeedbackReader(ObjectMapper json) {
        this.json = json;
    }

    /** 403 unless the query carries the key. */
    public void verify(WebhookDelivery delivery) {
        String query = delivery.rawQuery();
        if (query == null || !FormParameters.ofQuery(query).getOrDefault("key", List.of()).contains(KEY)) {
            throw WebhookRejection.forbidden("missing or wrong key");
        }
    }

    /** The row's values, with the id as the delivery's id; 400 without an id or a rating from 1 to 5. */
    public Map<String, Object> read(WebhookDelivery delivery) {
        JsonNode body = delivery.bodyJson(json.reader());
        String id = body.path("id").asText("");
        if (id.isBlank()) {
            throw WebhookRejection.badRequest("id is required");
        }
        int rating = body.path("rating").asInt(0);
        if (!body.path("rating").isInt() || rating < 1 || rating > 5) {
            throw WebhookRejection.badRequest("rating must be a whole number from 1 to 5");
        }
        Map<String, Object> values = new HashMap<>();
        values.put(LogDeliveryId.KEY, id);
        values.put("id", id);
        values.put("rating", rating);
        values.put("receivedAt", delivery.receivedAtUtc());
        return values;
    }
}
