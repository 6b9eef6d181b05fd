package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookClient.RawResponse;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every webhook reads a request one way only, so what a check verified is what is stored: bytes
 * that are not UTF-8 (raw, or behind a form's {@code %} escapes), a JSON key given twice, a Twilio
 * field given twice are each a 400, through real HTTP, with every domain table and the intake spool
 * as they were. Each refused request is one the service took before: signed as Twilio signs it
 * (over the text a lenient decoder reads, or over a repeated field's values sorted), for a known
 * subscription or entity.
 */
class OneReadingOfEveryRequestTest extends WebhookServiceTest {

    private static final String ALERT = "/api/webhooks/reversecontact";
    private static final String RESOLVE = "/api/webhooks/reversecontact/resolve";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final String NOT_UTF8 = "{\"error\":\"body is not valid UTF-8\"}";
    private static final String DUPLICATE_KEY = "{\"error\":\"invalid JSON: a key appears more than once in one object\"}";
    /** The table another part of the service keeps refused requests in: not a domain table. */
    private static final String REFUSED_DELIVERIES = "refused_deliveries";

    private EnrichmentPause enrichmentPaused;

    @BeforeEach
    void knownEntities() {
        // An accepted resolve callback would queue a job the poller then changes.
        enrichmentPaused = EnrichmentPause.of(camelContext);
        jdbc.update("insert into people (id, alert_subscription_id) values ('p-1', 'sub-ada')");
        jdbc.update("insert into messages (id, direction, channel, twilio_sid, status) values ('m-1', 'outbound', 'sms', 'SM1', 'sent')");
    }

    @AfterEach
    void resumeEnrichment() {
        enrichmentPaused.close();
    }

    @Test
    void jsonBytesThatAreNotUtf8Are400() {
        byte[] alert = bytes("{\"subscriptionId\":\"sub-ada\",\"data\":{\"person\":{\"firstName\":\"", 0xFF, 0xFE, "\"}}}");
        assertRefused(ALERT, "application/json", alert, Map.of(), NOT_UTF8);

        byte[] resolve = bytes("{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/", 0xFF, 0xFE, "\"}}");
        assertRefused(RESOLVE + "?type=person&id=p-1", "application/json", resolve, Map.of(), NOT_UTF8);
        // A truncated sequence and an overlong encoding of "/" are not UTF-8 either.
        assertRefused(RESOLVE + "?type=person&id=p-1", "application/json",
                bytes("{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada", 0xE2, 0x82, "\"}}"), Map.of(), NOT_UTF8);
        assertRefused(RESOLVE + "?type=person&id=p-1", "application/json",
                bytes("{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in", 0xC0, 0xAF, "ada\"}}"), Map.of(), NOT_UTF8);
    }

    @Test
    void aQueryEscapeThatIsNotUtf8Is400() {
        assertRefused(RESOLVE + "?type=person&id=p-1%FF", "application/json",
                "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada\"}}".getBytes(StandardCharsets.UTF_8), Map.of(),
                "{\"error\":\"malformed query string: not valid UTF-8\"}");
    }

    @Test
    void aJsonKeyGivenTwiceAnywhereIs400() {
        assertRefused(ALERT, "application/json",
                utf8("{\"subscriptionId\":\"sub-other\",\"subscriptionId\":\"sub-ada\"}"), Map.of(), DUPLICATE_KEY);
        assertRefused(ALERT, "application/json",
                utf8("{\"subscriptionId\":\"sub-ada\",\"data\":{\"person\":{\"headline\":\"a\",\"headline\":\"b\"}}}"), Map.of(),
                DUPLICATE_KEY);
        assertRefused(ALERT, "application/json",
                utf8("{\"subscriptionId\":\"sub-ada\",\"data\":{\"person\":{\"experience\":[{\"title\":\"a\",\"title\":\"b\"}]}}}"),
                Map.of(), DUPLICATE_KEY);
        assertRefused(RESOLVE + "?type=person&id=p-1", "application/json",
                utf8("{\"data\":{\"linkedinUrl\":\"https://evil.example.com/\",\"linkedinUrl\":\"https://www.linkedin.com/in/ada\"}}"),
                Map.of(), DUPLICATE_KEY);
    }

    @Test
    void theSameJsonWithEachKeyOnceIsStored() {
        var response = http.postJson(RESOLVE + "?type=person&id=p-1", "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada\"}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select linkedin_url from people where id = 'p-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada");
    }

    @Test
    void aTwilioFormWhoseBytesAreNotUtf8Is400ThoughSignedOverWhatALenientDecoderReads() {
        Map<String, String> read = TwilioRequests.inboundMessage("SM9", "+61412345678", "+61298765432", "hi \uFFFD\uFFFD");
        byte[] raw = bytes(formWithout(read, "Body") + "&Body=hi+", 0xFF, 0xFE, "");
        assertRefused(TwilioRequests.INBOUND, FORM, raw, signedAsTwilio(TwilioRequests.INBOUND, read), NOT_UTF8);
    }

    @Test
    void aTwilioFormEscapeThatIsNotUtf8Is400ThoughSignedOverWhatALenientDecoderReads() {
        Map<String, String> read = TwilioRequests.inboundMessage("SM9", "+61412345678", "+61298765432", "\uFFFD\uFFFD");
        byte[] escaped = utf8(formWithout(read, "Body") + "&Body=%FF%FE");
        assertRefused(TwilioRequests.INBOUND, FORM, escaped, signedAsTwilio(TwilioRequests.INBOUND, read),
                "{\"error\":\"malformed form body: not valid UTF-8\"}");
        // In a name too.
        byte[] inName = utf8(WebhookClient.formEncode(read) + "&X%C3=1");
        assertRefused(TwilioRequests.INBOUND, FORM, inName, Map.of(), "{\"error\":\"malformed form body: not valid UTF-8\"}");
    }

    @Test
    void aTwilioFieldGivenTwiceIs400InEitherOrder() {
        Map<String, String> inbound = TwilioRequests.inboundMessage("SM9", "+61412345678", "+61298765432", "unused");
        String rest = formWithout(inbound, "Body");
        Map<String, List<String>> signed = repeated(inbound, "Body", "aaa", "zzz");
        for (String order : List.of("&Body=zzz&Body=aaa", "&Body=aaa&Body=zzz")) {
            assertRefused(TwilioRequests.INBOUND, FORM, utf8(rest + order), signedFields(TwilioRequests.INBOUND, signed),
                    "{\"error\":\"Body given more than once\"}");
        }
        Map<String, String> status = TwilioRequests.statusCallback("SM1", "delivered");
        assertRefused(TwilioRequests.MESSAGE_STATUS, FORM, utf8(formWithout(status, "MessageSid") + "&MessageSid=SM1&MessageSid=SM2"),
                signedFields(TwilioRequests.MESSAGE_STATUS, repeated(status, "MessageSid", "SM1", "SM2")),
                "{\"error\":\"MessageSid given more than once\"}");
        // The same value twice is still two readings of one field.
        assertRefused(TwilioRequests.MESSAGE_STATUS, FORM, utf8(WebhookClient.formEncode(status) + "&MessageStatus=delivered"),
                signedFields(TwilioRequests.MESSAGE_STATUS, repeated(status, "MessageStatus", "delivered")),
                "{\"error\":\"MessageStatus given more than once\"}");
    }

    @Test
    void aSignedFormWithEachFieldOnceIsStored() {
        Map<String, String> inbound = TwilioRequests.inboundMessage("SM9", "+61412345678", "+61298765432", "h\u00e9llo");
        RawResponse response = http.postRaw(TwilioRequests.INBOUND, FORM, utf8(WebhookClient.formEncode(inbound)),
                signedAsTwilio(TwilioRequests.INBOUND, inbound));
        assertThat(response.statusCode()).as(response.text()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select body from messages where twilio_sid = 'SM9'", String.class)).isEqualTo("h\u00e9llo");
    }

    /** Posts the bytes as they are; asserts the 400 and its JSON error, and that no table and no spool changed. */
    private void assertRefused(String pathAndQuery, String contentType, byte[] body, Map<String, String> headers, String error) {
        var before = domainTables();
        RawResponse response = http.postRaw(pathAndQuery, contentType, body, headers);
        assertThat(response.statusCode()).as(response.text()).isEqualTo(400);
        assertThat(response.text()).contains("application/json").contains(error);
        assertThat(domainTables()).as("a refused request wrote nothing").isEqualTo(before);
        assertThat(TestInfrastructure.sharedIntakeSpoolIsEmpty()).as("a refused request is not spooled").isTrue();
    }

    private Map<String, List<Map<String, Object>>> domainTables() {
        Map<String, List<Map<String, Object>>> tables = new TreeMap<>(db.snapshot());
        tables.remove(REFUSED_DELIVERIES);
        return tables;
    }

    /** X-Twilio-Signature as Twilio makes it for this form: names sorted, a name's distinct values sorted. */
    private static Map<String, String> signedFields(String path, Map<String, List<String>> form) {
        return Map.of("X-Twilio-Signature", TwilioRequests.signatureOfRepeated(TestInfrastructure.TWILIO_AUTH_TOKEN,
                TestInfrastructure.PUBLIC_BASE_URL + path, form));
    }

    /** The same for a form without repeats; checked against Twilio's own SDK first. */
    private static Map<String, String> signedAsTwilio(String path, Map<String, String> form) {
        String signature = TwilioRequests.signature(TestInfrastructure.TWILIO_AUTH_TOKEN, TestInfrastructure.PUBLIC_BASE_URL + path, form);
        assertThat(signedFields(path, single(form))).containsEntry("X-Twilio-Signature", signature);
        return Map.of("X-Twilio-Signature", signature);
    }

    private static Map<String, List<String>> single(Map<String, String> form) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        form.forEach((name, value) -> values.put(name, List.of(value)));
        return values;
    }

    private static Map<String, List<String>> repeated(Map<String, String> form, String name, String... values) {
        Map<String, List<String>> all = single(form);
        all.put(name, values.length == 1 ? List.of(values[0], values[0]) : List.of(values));
        return all;
    }

    private static String formWithout(Map<String, String> form, String name) {
        Map<String, String> rest = new LinkedHashMap<>(form);
        rest.remove(name);
        return WebhookClient.formEncode(rest);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** UTF-8 text, then raw bytes, then UTF-8 text. */
    private static byte[] bytes(String before, int first, int second, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(before));
        out.write(first);
        out.write(second);
        out.writeBytes(utf8(after));
        return out.toByteArray();
    }
}
