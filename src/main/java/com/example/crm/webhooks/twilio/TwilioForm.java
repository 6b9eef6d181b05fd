package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The form parameters of a Twilio request body whose signature checked out, as received: decoded,
 * in arrival order, repeated names kept; and when the service received it.
 */
public record TwilioForm(Map<String, List<String>> parameters, Instant receivedAt) {

    public TwilioForm {
        parameters = Collections.unmodifiableMap(parameters);
    }

    /** The form of a delivery: its body's fields, parsed once for the signature check and the reader. */
    public static TwilioForm of(WebhookDelivery delivery) {
        return new TwilioForm(delivery.form(), delivery.receivedAt());
    }

    /** When the service received it, for a timestamptz column. */
    public OffsetDateTime receivedAtUtc() {
        return receivedAt.atOffset(ZoneOffset.UTC);
    }

    /** The first value of {@code name}, if the field was sent. */
    public Optional<String> value(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The first value of {@code name}, if the field was sent with anything but blanks. */
    public Optional<String> nonBlank(String name) {
        return value(name).map(String::strip).filter(v -> !v.isEmpty());
    }

    /** The field's value, stripped of surrounding blanks; 400 when it is missing or blank. */
    public String required(String name) {
        return nonBlank(name).orElseThrow(() -> WebhookRejection.badRequest(name + " is required"));
    }

    /** Every field, a single value as a string and a repeated one as a list: for JSON. */
    public Map<String, Object> asPayload() {
        Map<String, Object> payload = new LinkedHashMap<>();
        parameters.forEach((name, values) -> payload.put(name, values.size() == 1 ? values.get(0) : values));
        return payload;
    }
}
