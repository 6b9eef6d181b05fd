package com.example.crm.webhooks.logging;

/**
 * Makes text from outside (a caller's id, a provider's error message) safe to put in a log line or
 * a stored error message: it stays readable, but cannot start a new line, hide or reorder what an
 * operator sees, or grow without bound.
 *
 * <p>Escaped, as {@code \n}, {@code \r}, {@code \t} or <code>&#92;u0085</code> and the like: every C0 control
 * (U+0000 to U+001F), DEL (U+007F), every C1 control (U+0080 to U+009F, NEL U+0085 among them),
 * LINE SEPARATOR U+2028 and PARAGRAPH SEPARATOR U+2029 (line breaks to some log viewers), the
 * bidirectional embeddings, overrides and isolates U+202A to U+202E and U+2066 to U+2069 (they
 * reorder how the rest of the line is displayed), and a lone surrogate (it would reach the log as
 * '?'). A backslash is doubled, so every escape in the output is one this class made. Everything
 * else is kept as it is, a surrogate pair (an emoji) included.
 *
 * <p>Lengths count Java chars (UTF-16 units) of the result, so they bound code points as well. A
 * result that had to be cut ends with {@value #ELLIPSIS} within the limit; the cut falls between
 * two escapes or characters, never inside one.
 */
public final class LogText {

    /** Ends a result that was cut. */
    public static final String ELLIPSIS = "\u2026";

    /** What {@link #token} gives for a missing value. */
    public static final String MISSING_TOKEN = "-";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LogText() {
    }

    /**
     * Free text (spaces kept) with the characters above escaped, at most {@code maxLength} chars;
     * "" for null. For a {@code key=value} field use {@link #token}.
     */
    public static String escape(String text, int maxLength) {
        requirePositive(maxLength);
        return text == null ? "" : render(text, maxLength, false);
    }

    /**
     * One field of a {@code key=value} log line: {@value #MISSING_TOKEN} for null or empty, every
     * space (U+0020 and the other Unicode space separators) and {@code =} as {@code _}, so the value
     * cannot split into or forge another field, and the characters above escaped; at most
     * {@code maxLength} chars.
     */
    public static String token(String value, int maxLength) {
        requirePositive(maxLength);
        return value == null || value.isEmpty() ? MISSING_TOKEN : render(value, maxLength, true);
    }

    private static String render(String text, int maxLength, boolean asToken) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxLength) + 8);
        // The longest output, at a boundary between pieces, that leaves room for the ellipsis.
        int roomForEllipsis = 0;
        int i = 0;
        while (i < text.length()) {
            i = appendPiece(text, i, out, asToken);
            if (out.length() > maxLength) {
                out.setLength(roomForEllipsis);
                return out.append(ELLIPSIS).toString();
            }
            if (out.length() < maxLength) {
                roomForEllipsis = out.length();
            }
        }
        return out.toString();
    }

    /** Appends the character at {@code i} (a whole surrogate pair) or its escape; returns the next index. */
    private static int appendPiece(String text, int i, StringBuilder out, boolean asToken) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
            out.append(c).append(text.charAt(i + 1));
            return i + 2;
        }
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            case '\\' -> out.append("\\\\");
            default -> {
                if (mustEscape(c)) {
                    out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                            .append(HEX[c & 0xf]);
                } else if (asToken && (c == '=' || Character.getType(c) == Character.SPACE_SEPARATOR)) {
                    out.append('_');
                } else {
                    out.append(c);
                }
            }
        }
        return i + 1;
    }

    private static boolean mustEscape(char c) {
        return c < 0x20                                  // C0 controls
                || (c >= 0x7f && c <= 0x9f)              // DEL and the C1 controls (NEL)
                || c == 0x2028 || c == 0x2029            // line and paragraph separators
                || (c >= 0x202a && c <= 0x202e)          // bidi embeddings and overrides
                || (c >= 0x2066 && c <= 0x2069)          // bidi isolates
                || Character.isSurrogate(c);             // a lone half of a pair (pairs are taken whole before)
    }

    private static void requirePositive(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, was " + maxLength);
        }
    }
}
