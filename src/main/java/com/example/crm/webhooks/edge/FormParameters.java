package com.example.crm.webhooks.edge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code application/x-www-form-urlencoded} text (a form body, or a query string) as names and
 * values: decoded as UTF-8, in arrival order, repeated names kept. Malformed input is a 400, and so
 * is a {@code %} escape whose bytes are not valid UTF-8 ({@code %FF}): decoded leniently it would
 * read as U+FFFD, the same as any other invalid bytes.
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

    /** Name or value: {@code +} is a space, {@code %XX} a byte, the bytes together UTF-8. */
    private static String decode(String encoded, String malformed) {
        if (encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0) {
            return encoded;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c == '+') {
                bytes.write(' ');
                i++;
            } else if (c == '%') {
                int high = i + 2 < encoded.length() ? hexDigit(encoded.charAt(i + 1)) : -1;
                int low = high < 0 ? -1 : hexDigit(encoded.charAt(i + 2));
                if (low < 0) {
                    throw WebhookRejection.badRequest(malformed);
                }
                bytes.write(high << 4 | low);
                i += 3;
            } else {
                int end = i;
                while (end < encoded.length() && encoded.charAt(end) != '%' && encoded.charAt(end) != '+') {
                    end++;
                }
                bytes.writeBytes(encoded.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return StrictUtf8.decode(bytes.toByteArray(), malformed + ": not valid UTF-8");
    }

    /** 0 to 15, or -1: ASCII hex digits only (Character.digit would take other scripts' digits too). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
