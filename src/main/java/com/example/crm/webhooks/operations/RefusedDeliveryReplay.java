package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.refused.RefusedDeliveries;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.ProducerTemplate;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.stereotype.Service;

/**
 * What operators do with refused deliveries, from the management endpoint
 * ({@link RefusedDeliveriesEndpoint}) and the console ({@link RefusedDeliveriesMBean}): list them,
 * read one, and replay one or many through their webhook's checks with the configuration in force
 * now. The reads and the replay are routes of routes/refused-deliveries.camel.yaml; this turns their
 * rows into what an operator reads (names in camelCase, times in ISO-8601, a body as text or base64).
 */
@Service
public class RefusedDeliveryReplay {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    /**
     * Which kept refused deliveries: of a webhook, of a reason, received since (inclusive) and until
     * (exclusive); null for any. Times are ISO-8601 with an offset; another text is a 400.
     */
    public record Filter(String webhook, String reason, OffsetDateTime since, OffsetDateTime until) {

        public static Filter of(String webhook, String reason, String since, String until) {
            return new Filter(blankToNull(webhook), blankToNull(reason), time("since", since), time("until", until));
        }

        Map<String, Object> parameters() {
            Map<String, Object> parameters = new HashMap<>();
            parameters.put("webhook", webhook);
            parameters.put("reason", reason);
            parameters.put("since", since);
            parameters.put("until", until);
            return parameters;
        }
    }

    /** One replay's outcome: applied, or the refusal it got again. */
    public record Outcome(String id, String outcome) {

        public boolean applied() {
            return RefusedDeliveries.APPLIED.equals(outcome);
        }
    }

    private final ProducerTemplate producer;

    public RefusedDeliveryReplay(ProducerTemplate producer) {
        this.producer = producer;
    }

    /** A page of them, newest first, without bodies. */
    public List<Map<String, Object>> list(Filter filter, Integer limit, Integer offset) {
        Map<String, Object> parameters = filter.parameters();
        parameters.put("limit", limit == null ? DEFAULT_LIMIT : Math.max(1, Math.min(limit, MAX_LIMIT)));
        parameters.put("offset", offset == null ? 0 : Math.max(0, offset));
        List<?> rows = producer.requestBody("direct:list-refused-deliveries", parameters, List.class);
        List<Map<String, Object>> page = new ArrayList<>();
        for (Object row : rows) {
            page.add(forOperator((Map<?, ?>) row));
        }
        return page;
    }

    /** One, with its kept headers and its body (UTF-8 text, or base64 when it is not). */
    public Optional<Map<String, Object>> get(String id) {
        Map<?, ?> row = producer.requestBody("direct:get-refused-delivery", id, Map.class);
        return Optional.ofNullable(row).map(RefusedDeliveryReplay::forOperator);
    }

    /** Replays one; empty when there is no such refused delivery. */
    public Optional<Outcome> replay(String id) {
        String outcome = producer.requestBody("direct:replay-refused-delivery", id, String.class);
        return Optional.ofNullable(outcome).map(text -> new Outcome(id, text));
    }

    /** Replays every one the filter takes that is not applied yet, oldest first. */
    public List<Outcome> replay(Filter filter) {
        List<?> rows = producer.requestBody("direct:find-refused-to-replay", filter.parameters(), List.class);
        List<Outcome> outcomes = new ArrayList<>();
        for (Object row : rows) {
            replay((String) ((Map<?, ?>) row).get("id")).ifPresent(outcomes::add);
        }
        return outcomes;
    }

    /** A summary of outcomes for an answer: how many replayed and applied, and each one's outcome. */
    public static Map<String, Object> summary(List<Outcome> outcomes) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("replayed", outcomes.size());
        summary.put("applied", outcomes.stream().filter(Outcome::applied).count());
        summary.put("outcomes", outcomes);
        return summary;
    }

    private static Map<String, Object> forOperator(Map<?, ?> row) {
        Map<String, Object> shown = new LinkedHashMap<>();
        row.forEach((column, value) -> {
            String name = camelCase((String) column);
            if (value instanceof byte[] body) {
                Optional<String> text = utf8(body);
                shown.put("bodyEncoding", text.isPresent() ? "text" : "base64");
                shown.put(name, text.orElseGet(() -> Base64.getEncoder().encodeToString(body)));
            } else if (value instanceof Timestamp time) {
                shown.put(name, time.toInstant().toString());
            } else if (value instanceof OffsetDateTime time) {
                shown.put(name, time.toInstant().toString());
            } else {
                shown.put(name, value == null ? null : value instanceof Number || value instanceof Boolean ? value : value.toString());
            }
        });
        return shown;
    }

    private static Optional<String> utf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static String camelCase(String column) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : column.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static OffsetDateTime time(String name, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new InvalidEndpointRequestException(name + " must be an ISO-8601 time with an offset, e.g. 2026-12-07T10:00:00Z",
                    name + " is not a time");
        }
    }
}
