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
import java.util.regex.Pattern;

/**
 * The form parameters of a Twilio request body, as received: decoded, in arrival order, each name
 * once; and when the service received it. A name sent twice is a 400: Twilio's messaging webhooks
 * send every field once (media are numbered, MediaUrl0, MediaUrl1, ...), and the signature covers a
 * repeated name's values sorted while a reader takes them in order, so {@code Body=a&Body=b} and
 * {@code Body=b&Body=a} would share one signature and store different messages.
 */
public record TwilioForm(Map<String, List<String>> parameters, Instant receivedAt) {

    /** A field name the 400 may repeat back: Twilio's own are short and plain. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public TwilioForm {
        parameters = Collections.unmodifiableMap(parameters);
    }

    /** The form of a delivery: its body's fields, parsed once for the signature check and the reader; 400 for a repeated name. */
    public static TwilioForm of(WebhookDelivery delivery) {
        Map<String, List<String>> parameters = delivery.form();
        parameters.forEach((name, values) -> {
            if (values.size() > 1) {
                throw WebhookRejection.badRequest((PLAIN_NAME.matcher(name).matches() ? name : "a form field")
                        + " given more than once");
            }
        });
        return new TwilioForm(parameters, delivery.receivedAt());
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

    /** Every field and its value: for JSON. */
    public Map<String, Object> asPayload() {
        Map<String, Object> payload = new LinkedHashMap<>();
        parameters.forEach((name, values) -> payload.put(name, values.get(0)));
        return payload;
    }
}
