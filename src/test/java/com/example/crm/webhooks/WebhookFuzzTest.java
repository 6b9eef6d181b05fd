package com.example.crm.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Generated bad input against all four webhooks: malformed and truncated bodies, wrong content
 * types, odd encodings, huge fields, wrong JSON types, duplicated and missing parameters, forged
 * signatures. Properties: never a 5xx, and every rejection leaves every table as it was. Input
 * that can be read more than one way is always a 400, whatever else is right about it: bytes that
 * are not UTF-8 (raw or behind a form's escapes), a JSON key given twice, a Twilio field given twice
 * (signed as Twilio signs one), a framing of the request that is ambiguous.
 *
 * <p>Cases come from jqwik arbitraries, sampled outside jqwik's engine so they can run against
 * the shared application; a failure prints the whole case. {@code -Dfuzz.cases=N} tries more.
 */
class WebhookFuzzTest extends WebhookServiceTest {

    private static final int CASES = Integer.getInteger("fuzz.cases", 1500);

    private static final String INBOUND = "/api/webhooks/twilio/inbound";
    private static final String STATUS = "/api/webhooks/twilio/message-status";
    private static final String ALERT = "/api/webhooks/reversecontact";
    private static final String RESOLVE = "/api/webhooks/reversecontact/resolve";

    /** {@code mustBe}: the one status the case may get, or null for any below 500. */
    record FuzzCase(String kind, String pathAndQuery, String contentType, byte[] body, Map<String, String> headers,
                    Integer mustBe) {

        FuzzCase(String kind, String pathAndQuery, String contentType, byte[] body, Map<String, String> headers) {
            this(kind, pathAndQuery, contentType, body, headers, null);
        }

        FuzzCase refused() {
            return new FuzzCase(kind, pathAndQuery, contentType, body, headers, 400);
        }

        @Override
        public String toString() {
            String text = new String(body, StandardCharsets.UTF_8);
            return kind + " " + pathAndQuery + " [" + contentType + "] " + headers + " "
                    + (text.length() > 300 ? text.substring(0, 300) + "...(" + body.length + " bytes)" : text);
        }
    }

    private EnrichmentPause enrichmentPaused;

    @BeforeEach
    void knownEntities() {
        // Accepted resolve callbacks queue jobs; the poller would change tables between cases.
        enrichmentPaused = EnrichmentPause.of(camelContext);
        jdbc.update("insert into people (id, alert_subscription_id) values ('person-fuzz', 'sub-fuzz')");
        jdbc.update("insert into companies (id, name) values ('company-fuzz', 'Fuzz Ltd')");
        jdbc.update("insert into contacts (id, mobile) values ('contact-fuzz', '+61412345678')");
        jdbc.update("insert into messages (id, direction, channel, twilio_sid, status) values ('m-fuzz', 'outbound', 'sms', 'SMfuzz', 'sent')");
    }

    @AfterEach
    void resumeEnrichment() {
        enrichmentPaused.close();
    }

    @Test
    void noInputIsA5xxAndNoRejectionWritesAnything() {
        Map<String, Integer> statuses = new TreeMap<>();
        List<FuzzCase> generated = cases().sampleStream().limit(CASES).toList();
        for (int i = 0; i < generated.size(); i++) {
            FuzzCase fuzz = generated.get(i);
            var before = db.snapshot();
            WebhookClient.RawResponse response = http.postRaw(fuzz.pathAndQuery(), fuzz.contentType(), fuzz.body(), fuzz.headers());
            statuses.merge(fuzz.kind() + " " + response.statusCode(), 1, Integer::sum);
            assertThat(response.statusCode()).as("case %d: %s -> %s", i, fuzz, response.text()).isLessThan(500);
            if (fuzz.mustBe() != null) {
                assertThat(response.statusCode()).as("case %d: %s -> %s", i, fuzz, response.text()).isEqualTo(fuzz.mustBe());
            }
            if (response.statusCode() >= 400) {
                assertThat(db.snapshot()).as("case %d rejected with %d but wrote: %s", i, response.statusCode(), fuzz)
                        .isEqualTo(before);
            }
        }
        System.out.printf("WebhookFuzzTest: tried %d cases; answers by endpoint and status: %s%n", CASES, statuses);
    }

    static Arbitrary<FuzzCase> cases() {
        return Arbitraries.oneOf(twilio(INBOUND), twilio(STATUS), alert(), resolve(), readTwoWays());
    }

    // --- Input that could be read two ways: always a 400 -------------------------------------

    static Arbitrary<FuzzCase> readTwoWays() {
        return Arbitraries.oneOf(invalidUtf8(), duplicateJsonKey(), repeatedTwilioField(), conflictingFraming());
    }

    /** A byte sequence that is not UTF-8: a stray continuation byte, a truncated sequence, an overlong or surrogate encoding, FF. */
    static Arbitrary<byte[]> notUtf8() {
        return Arbitraries.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xFF, (byte) 0xFE}, new byte[] {(byte) 0xC3},
                new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
    }

    /** Bytes that are not UTF-8 anywhere in a JSON body, or in a Twilio form raw or escaped, signed over what a lenient decoder reads. */
    static Arbitrary<FuzzCase> invalidUtf8() {
        Arbitrary<FuzzCase> json = Combinators.combine(Arbitraries.of(ALERT, RESOLVE + "?type=company&id=company-fuzz"),
                        Arbitraries.of("{\"subscriptionId\":\"sub-fuzz\",\"data\":{\"person\":{\"headline\":\"@\"}}}",
                                "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/company/@\"}}", "{\"@\":1}"),
                        notUtf8())
                .as((path, body, bad) -> {
                    String[] around = body.split("@", 2);
                    return new FuzzCase("invalid-utf8-json", path, "application/json", concat(concat(
                            around[0].getBytes(StandardCharsets.UTF_8), bad), around[1].getBytes(StandardCharsets.UTF_8)),
                            Map.of()).refused();
                });
        Arbitrary<FuzzCase> form = Combinators.combine(Arbitraries.of(INBOUND, STATUS), notUtf8(), Arbitraries.of(true, false))
                .as((path, bad, escaped) -> {
                    Map<String, String> params = path.equals(INBOUND) ? Map.of("MessageSid", "SMfuzz-utf8", "From", "+61412345678",
                            "To", "+61298765432", "AccountSid", "ACfuzz") : Map.of("MessageSid", "SMfuzz", "MessageStatus", "delivered");
                    Map<String, String> read = new TreeMap<>(params);
                    read.put("Body", new String(bad, StandardCharsets.UTF_8));
                    StringBuilder escapes = new StringBuilder();
                    for (byte b : bad) {
                        escapes.append(String.format("%%%02X", b & 0xFF));
                    }
                    byte[] body = escaped ? (form(params) + "&Body=" + escapes).getBytes(StandardCharsets.UTF_8)
                            : concat((form(params) + "&Body=").getBytes(StandardCharsets.UTF_8), bad);
                    return new FuzzCase("invalid-utf8-form" + (escaped ? "-escaped" : ""), path,
                            "application/x-www-form-urlencoded", body,
                            Map.of("X-Twilio-Signature", sign(TestInfrastructure.PUBLIC_BASE_URL + path, read))).refused();
                });
        return Arbitraries.oneOf(json, form);
    }

    /** A key given twice in one object, at the top or deep in a generated document. */
    static Arbitrary<FuzzCase> duplicateJsonKey() {
        Arbitrary<String> key = Arbitraries.of("subscriptionId", "data", "person", "linkedinUrl", "linkedInUrl", "firstName", "x");
        return Combinators.combine(key, json(2), json(2), Arbitraries.of("top", "person", "deep"), Arbitraries.of(ALERT, RESOLVE))
                .as((k, first, second, where, path) -> {
                    String twice = quote(k) + ":" + first + "," + quote(k) + ":" + second;
                    String body = switch (where) {
                        case "top" -> "{\"subscriptionId\":\"sub-fuzz\"," + twice + "}";
                        case "person" -> "{\"subscriptionId\":\"sub-fuzz\",\"data\":{\"person\":{" + twice + "}}}";
                        default -> "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/x\",\"list\":[1,{" + twice + "}]}}";
                    };
                    String pathAndQuery = path.equals(RESOLVE) ? RESOLVE + "?type=person&id=person-fuzz" : ALERT;
                    return new FuzzCase("duplicate-key-" + where, pathAndQuery, "application/json",
                            body.getBytes(StandardCharsets.UTF_8), Map.of()).refused();
                });
    }

    /** A field Twilio sends once, sent twice, signed as Twilio signs a repeated name (its distinct values sorted). */
    static Arbitrary<FuzzCase> repeatedTwilioField() {
        Arbitrary<String> field = Arbitraries.of("From", "To", "Body", "MessageSid", "MessageStatus", "AccountSid", "NumMedia",
                "MediaUrl0", "ErrorCode");
        return Combinators.combine(Arbitraries.of(INBOUND, STATUS), field, text(40), text(40))
                .as((path, name, first, second) -> {
                    Map<String, String> params = new TreeMap<>(path.equals(INBOUND)
                            ? Map.of("MessageSid", "SMfuzz-repeat", "From", "+61412345678", "To", "+61298765432", "Body", "hi")
                            : Map.of("MessageSid", "SMfuzz", "MessageStatus", "delivered"));
                    params.put(name, first);
                    // Each name with its values, as the service reads them back.
                    Map<String, List<String>> read = new TreeMap<>();
                    params.forEach((k, v) -> read.put(k, List.of(decoded(v))));
                    read.put(name, List.of(decoded(first), decoded(second)));
                    String signature = TwilioRequests.signatureOfRepeated(TestInfrastructure.TWILIO_AUTH_TOKEN,
                            TestInfrastructure.PUBLIC_BASE_URL + path, read);
                    String body = form(params) + "&" + form(Map.of(name, second));
                    return new FuzzCase("repeated-field", path, "application/x-www-form-urlencoded",
                            body.getBytes(StandardCharsets.UTF_8), Map.of("X-Twilio-Signature", signature)).refused();
                });
    }

    /** A value as the service reads it back from the form: a lone surrogate was sent as '?'. */
    static String decoded(String value) {
        return new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    /**
     * Framing a proxy and the port could read differently, added to the Content-Length the client
     * sends: Transfer-Encoding besides it, a second Content-Length, a coding that does not end in chunked.
     */
    static Arbitrary<FuzzCase> conflictingFraming() {
        Arbitrary<Map<String, String>> framing = Arbitraries.of(
                Map.of("Transfer-Encoding", "chunked"), Map.of("Transfer-Encoding", "gzip"),
                Map.of("Transfer-Encoding", "chunked, identity"), Map.of("Content-Length", "1"),
                Map.of("Content-Length", "0"), Map.of("Transfer-Encoding ", "chunked"));
        // Small bodies only: the port closes the connection at the headers, before a large body is sent.
        Arbitrary<FuzzCase> request = Arbitraries.oneOf(alert(), resolve(), twilio(INBOUND), twilio(STATUS))
                .filter(fuzz -> fuzz.body().length < 4096);
        return Combinators.combine(request, framing)
                .as((fuzz, extra) -> {
                    Map<String, String> headers = new LinkedHashMap<>(fuzz.headers());
                    headers.putAll(extra);
                    return new FuzzCase("framing-" + extra.keySet().iterator().next().strip(), fuzz.pathAndQuery(),
                            fuzz.contentType(), fuzz.body(), headers).refused();
                });
    }

    // --- Twilio: form posts, signed or not -------------------------------------------------

    static Arbitrary<FuzzCase> twilio(String path) {
        List<String> fields = path.equals(INBOUND)
                ? List.of("MessageSid", "From", "To", "Body", "NumMedia", "MediaUrl0", "MediaContentType0", "AccountSid", "WaId")
                : List.of("MessageSid", "MessageStatus", "ErrorCode", "AccountSid", "From", "To", "SmsStatus");
        Arbitrary<Map<String, String>> params = Arbitraries.maps(
                        Arbitraries.oneOf(Arbitraries.of(fields), text(12)), fieldValue())
                .ofMaxSize(fields.size() + 3);
        Arbitrary<String> signature = mostly(Arbitraries.just("valid"), Arbitraries.of("forged", "missing", "other-url", "empty"));
        Arbitrary<String> encoding = mostly(Arbitraries.just("form"), Arbitraries.of("duplicated", "truncated", "bad-escape",
                "invalid-utf8", "garbage"));
        Arbitrary<String> contentType = mostly(Arbitraries.of("application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=UTF-8"), Arbitraries.of("application/json", "text/plain", "",
                "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=ISO-8859-1", "%%%"));
        Arbitrary<String> query = Arbitraries.of("", "", "?x=1", "?MessageSid=SMquery", "?%ZZ");
        return Combinators.combine(params, signature, encoding, contentType, query)
                .as((p, sig, enc, ct, q) -> twilioCase(path, p, sig, enc, ct, q));
    }

    static FuzzCase twilioCase(String path, Map<String, String> params, String signature, String encoding,
                               String contentType, String query) {
        String form = form(params);
        byte[] body = switch (encoding) {
            case "duplicated" -> (form + (form.isEmpty() ? "" : "&") + form).getBytes(StandardCharsets.UTF_8);
            case "truncated" -> form.substring(0, form.length() / 2).getBytes(StandardCharsets.UTF_8);
            case "bad-escape" -> (form + "&Body=%E2%8").getBytes(StandardCharsets.UTF_8);
            case "invalid-utf8" -> concat(form.getBytes(StandardCharsets.UTF_8), new byte[] {'&', 'B', '=', (byte) 0xFF, (byte) 0xC3});
            case "garbage" -> new byte[] {0, 1, 2, '=', '&', '&', '=', (byte) 0x80};
            default -> form.getBytes(StandardCharsets.UTF_8);
        };
        Map<String, String> headers = new LinkedHashMap<>();
        String url = TestInfrastructure.PUBLIC_BASE_URL + path + query;
        switch (signature) {
            case "valid" -> headers.put("X-Twilio-Signature", sign(url, params));
            case "forged" -> headers.put("X-Twilio-Signature", Base64.getEncoder().encodeToString(new byte[20]));
            case "other-url" -> headers.put("X-Twilio-Signature", sign("https://evil.example.com" + path, params));
            case "empty" -> headers.put("X-Twilio-Signature", "");
            default -> { }
        }
        return new FuzzCase("twilio-" + path.substring(path.lastIndexOf('/') + 1) + "-" + signature,
                path + query, contentType.isEmpty() ? null : contentType, body, headers);
    }

    /** Twilio's scheme: base64(HMAC-SHA1(token, url + each name+value sorted by name)). */
    static String sign(String url, Map<String, String> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(TestInfrastructure.TWILIO_AUTH_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // --- Reverse Contact: JSON ---------------------------------------------------------------

    static Arbitrary<FuzzCase> alert() {
        Arbitrary<String> subscription = mostly(Arbitraries.just("\"sub-fuzz\""), Arbitraries.of("\"sub-unknown\"", "\"\"", "\"   \"", "null", "42", "true", "{}", "[\"sub-fuzz\"]",
                        "\"sub-fuzz\\u0000\""));
        Arbitrary<String> person = Arbitraries.oneOf(json(3), object(json(2)), Arbitraries.of("null", "\"text\"", "[]", "{}"));
        Arbitrary<String> shape = Arbitraries.of("alert", "alert", "no-data", "not-object", "random");
        return Combinators.combine(subscription, person, shape, json(4), bodyDamage(), jsonContentType())
                .as((sub, p, s, randomJson, damage, ct) -> {
                    String body = switch (s) {
                        case "alert" -> "{\"subscriptionId\":" + sub + ",\"data\":{\"person\":" + p + "}}";
                        case "no-data" -> "{\"subscriptionId\":" + sub + "}";
                        case "not-object" -> "[" + sub + "]";
                        default -> randomJson;
                    };
                    return new FuzzCase("alert-" + s, ALERT, ct, damage.apply(body), Map.of());
                });
    }

    static Arbitrary<FuzzCase> resolve() {
        Arbitrary<String> type = Arbitraries.of("company", "contact", "person", "", "Company", "people", "company%00",
                "%ZZ", "company&type=person");
        Arbitrary<String> id = Arbitraries.of("company-fuzz", "contact-fuzz", "person-fuzz", "unknown", "",
                "company-fuzz&id=other", "%27%3B--");
        Arbitrary<String> query = Combinators.combine(type, id, Arbitraries.of("both", "no-type", "no-id", "none"))
                .as((t, i, which) -> switch (which) {
                    case "no-type" -> "?id=" + i;
                    case "no-id" -> "?type=" + t;
                    case "none" -> "";
                    default -> "?type=" + t + "&id=" + i;
                });
        Arbitrary<String> url = Arbitraries.of("\"https://www.linkedin.com/company/fuzz\"",
                "\"https://linkedin.com/in/fuzz?x=1#y\"", "\"http://www.linkedin.com.evil.com/in/x\"",
                "\"javascript:alert(1)\"", "\"file:///etc/passwd\"", "\"https://user@linkedin.com@evil.com/\"",
                "\"\"", "null", "7", "[\"https://www.linkedin.com/in/x\"]", "\"https://www.linkedin.com/in/" + "x".repeat(5000) + "\"");
        Arbitrary<String> key = Arbitraries.of("linkedinUrl", "linkedInUrl", "url", "LinkedinUrl");
        Arbitrary<String> shape = Arbitraries.of("callback", "callback", "result", "candidates", "errored", "no-data", "random");
        return Combinators.combine(query, key, url, shape, json(3), bodyDamage(), jsonContentType())
                .as((q, k, u, s, randomJson, damage, ct) -> {
                    String body = switch (s) {
                        case "callback" -> "{\"success\":true,\"data\":{\"" + k + "\":" + u + "}}";
                        case "result" -> "{\"status\":\"succeeded\",\"result\":{\"" + k + "\":" + u + "}}";
                        case "candidates" -> "{\"status\":\"succeeded\",\"result\":{\"candidates\":[{\"" + k + "\":" + u
                                + "},{\"linkedinUrl\":\"https://www.linkedin.com/in/second\"}]}}";
                        case "errored" -> "{\"status\":\"errored\",\"errorCode\":" + u + "}";
                        case "no-data" -> "{\"success\":true}";
                        default -> randomJson;
                    };
                    return new FuzzCase("resolve-" + s, RESOLVE + q, ct, damage.apply(body), Map.of());
                });
    }

    /** The first arbitrary three times in four: enough good input to reach the paths behind the checks. */
    static <T> Arbitrary<T> mostly(Arbitrary<T> usual, Arbitrary<T> odd) {
        return Arbitraries.frequencyOf(Tuple.of(3, usual), Tuple.of(1, odd));
    }

    interface BodyDamage {
        byte[] apply(String body);
    }

    static Arbitrary<BodyDamage> bodyDamage() {
        return mostly(Arbitraries.just(body -> body.getBytes(StandardCharsets.UTF_8)), Arbitraries.of(
                body -> body.substring(0, body.length() / 2).getBytes(StandardCharsets.UTF_8),
                body -> concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, body.getBytes(StandardCharsets.UTF_8)),
                body -> body.getBytes(StandardCharsets.UTF_16),
                body -> concat(body.getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xFF, (byte) 0xFE}),
                body -> ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8),
                body -> new byte[0]));
    }

    static Arbitrary<String> jsonContentType() {
        return mostly(Arbitraries.of("application/json", "application/json; charset=utf-8"), Arbitraries.of(
                "application/x-www-form-urlencoded", "text/plain", "", "application/xml", "application/json;;;"));
    }

    /** Random JSON text of the given depth: objects, arrays, strings, numbers, booleans, null. */
    static Arbitrary<String> json(int depth) {
        Arbitrary<String> leaf = Arbitraries.oneOf(
                text(30).map(WebhookFuzzTest::quote),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "1e309"),
                Arbitraries.of("true", "false", "null", "-0", "1e-400", "\"\\ud800\""));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<String> child = json(depth - 1);
        Arbitrary<String> array = child.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
        return Arbitraries.oneOf(leaf, object(child), array);
    }

    static Arbitrary<String> object(Arbitrary<String> members) {
        return Arbitraries.maps(Arbitraries.oneOf(text(10), Arbitraries.of("subscriptionId", "data", "person",
                        "linkedinUrl", "experience", "firstName")), members).ofMaxSize(4)
                .map(m -> {
                    List<String> pairs = new ArrayList<>();
                    m.forEach((k, v) -> pairs.add(quote(k) + ":" + v));
                    return "{" + String.join(",", pairs) + "}";
                });
    }

    static Arbitrary<String> text(int maxLength) {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(maxLength),
                Arbitraries.strings().all().ofMaxLength(maxLength),
                Arbitraries.of("+61412345678", "whatsapp:+61412345678", "0412 345 678", "SMfuzz", "delivered",
                        "sub-fuzz", "company-fuzz"));
    }

    static Arbitrary<String> fieldValue() {
        return Arbitraries.oneOf(text(40), Arbitraries.of("x".repeat(200_000), "", "\u0000", "%", "+", "whatsapp:",
                "delivered", "failed", "SMfuzz", "+61 412 345 678"));
    }

    static String form(Map<String, String> params) {
        List<String> pairs = new ArrayList<>();
        params.forEach((k, v) -> pairs.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return String.join("&", pairs);
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
