package com.example.crm.webhooks.edge;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code application/x-www-form-urlencoded} text (a form body, or a query string) as names and
 * values: decoded as UTF-8, in arrival order, repeated names kept. Malformed input is a 400.
 */
public final class FormParameters {

    private FormParameters() {
    }

    /** A form body: every field is name=value ("name" alone or "=value" is not a form: JSON sent as a form, say). */
    public static Map<String, List<String>> ofBody(String form) {
        return parse(form, true, "malformed form body");
    }

    /** A query string (without the {@code ?}); a name without {@code =} has the empty value. */
    public static Map<String, List<String>> ofQuery(String query) {
        return parse(query, false, "malformed query string");
    }

    private static Map<String, List<String>> parse(String text, boolean requireValue, String malformed) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return parameters;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (requireValue && eq <= 0) {
                throw WebhookRejection.badRequest(malformed);
            }
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), malformed);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), malformed);
            parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    private static String decode(String encoded, String malformed) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw WebhookRejection.badRequest(malformed);
        }
    }
}
