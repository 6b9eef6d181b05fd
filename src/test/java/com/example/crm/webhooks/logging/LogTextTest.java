package com.example.crm.webhooks.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Untrusted text in a log line or a stored error: line breaks, controls and bidi overrides come
 * out escaped, everything else as it was, and the cap never cuts a character or an escape in two.
 */
class LogTextTest {

    private static final char LF = 0x0a;
    private static final char CR = 0x0d;
    private static final char NEL = 0x85;
    private static final char LINE_SEPARATOR = 0x2028;
    private static final char PARAGRAPH_SEPARATOR = 0x2029;
    private static final String GRINNING_FACE = "\uD83D\uDE00";
    private static final String THUMBS_UP_MEDIUM_SKIN = "\uD83D\uDC4D\uD83C\uDFFD";

    @Test
    void lineBreaksOfEveryKindAreEscaped() {
        String forged = "a" + CR + LF + "b" + NEL + "c" + LINE_SEPARATOR + "d" + PARAGRAPH_SEPARATOR + "e";
        assertThat(LogText.escape(forged, 100)).isEqualTo("a\\r\\nb\\u0085c\\u2028d\\u2029e");
    }

    @Test
    void everyC0ControlDelAndC1ControlIsEscaped() {
        List<Character> controls = new ArrayList<>();
        for (char c = 0; c <= 0x1f; c++) {
            controls.add(c);
        }
        for (char c = 0x7f; c <= 0x9f; c++) {
            controls.add(c);
        }
        for (char c : controls) {
            String expected = switch (c) {
                case 0x0a -> "\\n";
                case 0x0d -> "\\r";
                case 0x09 -> "\\t";
                default -> String.format("\\u%04X", (int) c);
            };
            assertThat(LogText.escape("x" + c + "y", 20)).as("U+%04X", (int) c).isEqualTo("x" + expected + "y");
            assertThat(LogText.token("x" + c + "y", 20)).as("U+%04X", (int) c).isEqualTo("x" + expected + "y");
        }
    }

    @Test
    void bidiEmbeddingsOverridesAndIsolatesAreEscapedTheirNeighboursKept() {
        for (char c : new char[] {0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069}) {
            assertThat(LogText.escape("id" + c + "txt", 20)).isEqualTo(String.format("id\\u%04Xtxt", (int) c));
            assertThat(LogText.token("id" + c + "txt", 20)).isEqualTo(String.format("id\\u%04Xtxt", (int) c));
        }
        // "Trojan Source": an override that would show the rest of the line reversed.
        assertThat(LogText.escape("user=admin\u202E//", 50)).isEqualTo("user=admin\\u202E//");
        assertThat(LogText.escape("\u2027\u2070\u206A", 10)).isEqualTo("\u2027\u2070\u206A");
    }

    @Test
    void noCharacterThatCanBreakOrReorderALineSurvivesAndEveryOtherIsKept() {
        for (int c = 0; c <= 0xffff; c++) {
            String escaped = LogText.escape(String.valueOf((char) c), 10);
            assertThat(escaped.chars().filter(LogTextTest::breaksOrReordersALine)).as("U+%04X", c).isEmpty();
            assertThat(escaped.chars().filter(half -> Character.isSurrogate((char) half))).as("U+%04X", c).isEmpty();
            if (!breaksOrReordersALine(c) && !Character.isSurrogate((char) c) && c != '\\') {
                assertThat(escaped).as("U+%04X", c).isEqualTo(String.valueOf((char) c));
            }
        }
    }

    /** The characters the class promises to escape, written out apart from it. */
    private static boolean breaksOrReordersALine(int c) {
        return c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    @Test
    void readableTextStaysAsItWas() {
        String message = "Ünïcödé 中文 \"quoted\" a=b, 50% <tags> & ümlauts ‘quotes’ €";
        assertThat(LogText.escape(message, 200)).isEqualTo(message);
    }

    @Test
    void aBackslashIsDoubledSoTheTextBackslashNCannotPassForAnEscapedLineBreak() {
        assertThat(LogText.escape("C:\\tmp", 20)).isEqualTo("C:\\\\tmp");
        assertThat(LogText.escape("a\\nb", 20)).isEqualTo("a\\\\nb").isNotEqualTo(LogText.escape("a" + LF + "b", 20));
    }

    @Test
    void surrogatePairsAreKeptWholeAndALoneHalfIsEscaped() {
        assertThat(LogText.escape("ok " + GRINNING_FACE + " " + THUMBS_UP_MEDIUM_SKIN, 50))
                .isEqualTo("ok " + GRINNING_FACE + " " + THUMBS_UP_MEDIUM_SKIN);
        assertThat(LogText.token(GRINNING_FACE, 10)).isEqualTo(GRINNING_FACE);
        assertThat(LogText.escape("a\uD83D", 20)).isEqualTo("a\\uD83D");
        assertThat(LogText.escape("\uDE00b", 20)).isEqualTo("\\uDE00b");
        assertThat(LogText.escape("\uDE00\uD83D", 20)).isEqualTo("\\uDE00\\uD83D");
    }

    @Test
    void longTextIsCutToTheCapWithAnEllipsis() {
        assertThat(LogText.escape("x".repeat(500), 80)).isEqualTo("x".repeat(79) + LogText.ELLIPSIS).hasSize(80);
        assertThat(LogText.escape("x".repeat(80), 80)).isEqualTo("x".repeat(80));
        assertThat(LogText.escape("x".repeat(81), 80)).isEqualTo("x".repeat(79) + LogText.ELLIPSIS);
        assertThat(LogText.escape("ab", 1)).isEqualTo(LogText.ELLIPSIS);
        assertThat(LogText.escape("a", 1)).isEqualTo("a");
        assertThat(LogText.escape(LF + "x", 3)).isEqualTo("\\nx");
        assertThat(LogText.escape(LF + "xy", 3)).isEqualTo("\\n" + LogText.ELLIPSIS);
        assertThat(LogText.escape(LF + "x", 2)).isEqualTo(LogText.ELLIPSIS); // no half escape
    }

    @Test
    void theCapNeverSplitsASurrogatePairOrAnEscape() {
        // Each input piece and what it must become; the result, at any cap, is whole pieces plus the ellipsis.
        String[][] pieces = {
                {"a", "a"}, {GRINNING_FACE, GRINNING_FACE}, {String.valueOf(LF), "\\n"}, {"b", "b"},
                {String.valueOf(NEL), "\\u0085"}, {GRINNING_FACE, GRINNING_FACE}, {"\\", "\\\\"},
                {"\u202E", "\\u202E"}, {"c", "c"}, {"\uD83D", "\\uD83D"}};
        StringBuilder input = new StringBuilder();
        List<String> wholePrefixes = new ArrayList<>(List.of(""));
        for (String[] piece : pieces) {
            input.append(piece[0]);
            wholePrefixes.add(wholePrefixes.get(wholePrefixes.size() - 1) + piece[1]);
        }
        String full = wholePrefixes.get(wholePrefixes.size() - 1);

        for (int cap = 1; cap <= full.length() + 2; cap++) {
            String result = LogText.escape(input.toString(), cap);
            assertThat(result.length()).as("cap %d", cap).isLessThanOrEqualTo(cap);
            if (cap >= full.length()) {
                assertThat(result).isEqualTo(full);
                continue;
            }
            assertThat(result).as("cap %d", cap).endsWith(LogText.ELLIPSIS);
            String kept = result.substring(0, result.length() - LogText.ELLIPSIS.length());
            int limit = cap - LogText.ELLIPSIS.length();
            String longestWhole = wholePrefixes.stream().filter(p -> p.length() <= limit).reduce((x, y) -> y).orElseThrow();
            assertThat(kept).as("cap %d", cap).isEqualTo(longestWhole);
        }
    }

    @Test
    void aTokenIsOneFieldAsTheWebhookLogLineWritesIt() {
        assertThat(LogText.token(null, 80)).isEqualTo("-");
        assertThat(LogText.token("", 80)).isEqualTo("-");
        assertThat(LogText.token("SM0123456789abcdef", 80)).isEqualTo("SM0123456789abcdef");
        assertThat(LogText.token("SM1 outcome=accepted" + LF + "webhook route=x", 80))
                .isEqualTo("SM1_outcome_accepted\\nwebhook_route_x");
        assertThat(LogText.token("x".repeat(500), 80)).hasSize(80).endsWith(LogText.ELLIPSIS);
    }

    @Test
    void aTokenKeepsPrintableAsciiButSpaceEqualsAndBackslash() {
        for (char c = 0x21; c <= 0x7e; c++) {
            String expected = switch (c) {
                case '=' -> "_";
                case '\\' -> "\\\\";
                default -> String.valueOf(c);
            };
            assertThat(LogText.token("a" + c + "b", 10)).as("'%s'", c).isEqualTo("a" + expected + "b");
        }
        assertThat(LogText.token(" ", 10)).isEqualTo("_");
    }

    @Test
    void aTokenHasNoSpaceOfAnyKindWhileFreeTextKeepsThem() {
        String spaces = "a\u00A0b\u2003c\u3000d\u202Fe";
        assertThat(LogText.token(spaces, 20)).isEqualTo("a_b_c_d_e");
        assertThat(LogText.escape(spaces, 20)).isEqualTo(spaces);
    }

    @Test
    void nullFreeTextIsEmpty() {
        assertThat(LogText.escape(null, 10)).isEmpty();
    }

    @Test
    void aCapBelowOneIsAMistake() {
        assertThatThrownBy(() -> LogText.escape("x", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogText.token("x", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
