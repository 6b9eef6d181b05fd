package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.edge.LogDeliveryId;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Reads a profile change alert's JSON body and refuses (400) what the spec calls bad: invalid
 * JSON, a body that is not an object, a {@code subscriptionId} that is missing, blank or not a
 * string. {@code data} and {@code data.person} are optional; when present they must be objects,
 * because a person that is not an object cannot become a profile snapshot.
 */
@Component("profileChangeAlertReader")
public class ProfileChangeAlertReader {

    private final ObjectReader json;

    public ProfileChangeAlertReader(ObjectMapper objectMapper) {
        // "{} trailing" is not one JSON document: refuse it rather than store half of it.
        this.json = profileReader(objectMapper).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * How profiles are read, here and from the stored snapshot alike: numbers with a fraction or
     * exponent as BigDecimal, so the snapshot keeps them exactly (a double would round them, or
     * turn 1e400 into Infinity), and a number compares equal to itself in the next diff.
     */
    static ObjectReader profileReader(ObjectMapper objectMapper) {
        return objectMapper.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    /**
     * The alert: {@code subscriptionId} (also the delivery's id), {@code payload} (the body as
     * received, JSON text, stored so nothing is lost), {@code person} ({@code data.person} as an
     * object node, or null when the alert carries none) and {@code receivedAt}. 400 unless the body is a JSON object with a
     * subscriptionId.
     */
    public Map<String, Object> read(WebhookDelivery delivery) {
        String payload = delivery.bodyText();
        JsonNode alert = delivery.bodyJson(json);
        if (!alert.isObject()) {
            throw WebhookRejection.badRequest("body must be a JSON object");
        }
        JsonNode subscriptionId = alert.get("subscriptionId");
        if (subscriptionId == null || !subscriptionId.isTextual() || subscriptionId.asText().isBlank()) {
            throw WebhookRejection.badRequest("subscriptionId must be a non-blank string");
        }
        Map<String, Object> fields = new HashMap<>();
        fields.put(LogDeliveryId.KEY, subscriptionId.asText());
        fields.put("subscriptionId", subscriptionId.asText());
        fields.put("payload", payload);
        fields.put("receivedAt", delivery.receivedAtUtc());
        try {
            fields.put("person", person(alert));
        } catch (WebhookRejection refused) {
            throw refused.about(subscriptionId.asText());
        }
        return fields;
    }

    /** {@code data.person}; absent or null means the alert carries no profile. */
    private static ObjectNode person(JsonNode alert) {
        JsonNode data = alert.get("data");
        if (data == null || data.isNull()) {
            return null;
        }
        if (!data.isObject()) {
            throw WebhookRejection.badRequest("data must be an object");
        }
        JsonNode person = data.get("person");
        if (person == null || person.isNull()) {
            return null;
        }
        if (!person.isObject()) {
            throw WebhookRejection.badRequest("data.person must be an object");
        }
        return (ObjectNode) person;
    }
}
