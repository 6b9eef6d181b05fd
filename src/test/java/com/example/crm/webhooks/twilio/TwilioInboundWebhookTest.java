package com.example.crm.webhooks.twilio;

import static com.example.crm.webhooks.support.TwilioRequests.INBOUND;
import static com.example.crm.webhooks.support.TwilioRequests.inboundMessage;
import static com.example.crm.webhooks.twilio.TwilioMessageStatusWebhookTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** POST /api/webhooks/twilio/inbound: every message stored once, its sender matched to a contact. */
class TwilioInboundWebhookTest extends WebhookServiceTest {

    private static final String SENDER = "+61412345678";
    private static final String OUR_NUMBER = "+61298765432";
    private static final String TWIML = "<Response></Response>";

    private TwilioRequests twilio;

    @BeforeEach
    void twilio() {
        twilio = new TwilioRequests(http);
    }

    @Test
    void anSmsFromAnUnknownNumberIsStoredWithoutAContactAndAnsweredWithEmptyTwiml() {
        HttpResponse<String> response = twilio.post(INBOUND, inboundMessage("SM1", SENDER, OUR_NUMBER, "Hello there ✓"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(TWIML);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/xml"));
        Map<String, Object> row = message("SM1");
        assertThat(row).containsEntry("contact_id", null).containsEntry("direction", "inbound").containsEntry("channel", "sms")
                .containsEntry("from_number", SENDER).containsEntry("to_number", OUR_NUMBER)
                .containsEntry("body", "Hello there ✓").containsEntry("num_media", 0).containsEntry("media", "[]")
                .containsEntry("status", "received");
    }

    static Stream<Arguments> everyColumnAndFormat() {
        List<Arguments> cases = new ArrayList<>();
        for (String column : List.of("contact_relationship_profiles.phone_number", "contact_relationship_profiles.whatsapp_number",
                "contacts.mobile", "contacts.phone")) {
            for (String stored : List.of("+61 412 345 678", "0412 345 678", "61412345678", "+61412345678", "(04) 1234-5678")) {
                cases.add(Arguments.of(column, stored));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @MethodSource("everyColumnAndFormat")
    void anSmsSenderIsMatchedThroughEachColumnInEachFormat(String column, String stored) {
        storeNumber("c-1", column, stored);

        assertThat(twilio.post(INBOUND, inboundMessage("SM1", SENDER, OUR_NUMBER, "hi")).statusCode()).isEqualTo(200);

        assertThat(message("SM1")).containsEntry("contact_id", "c-1").containsEntry("channel", "sms");
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @MethodSource("everyColumnAndFormat")
    void aWhatsAppSenderIsMatchedThroughEachColumnInEachFormat(String column, String stored) {
        storeNumber("c-1", column, stored);

        HttpResponse<String> response = twilio.post(INBOUND,
                inboundMessage("SM1", "whatsapp:" + SENDER, "whatsapp:" + OUR_NUMBER, "hi"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(TWIML);
        assertThat(message("SM1")).containsEntry("contact_id", "c-1").containsEntry("channel", "whatsapp")
                .containsEntry("from_number", SENDER).containsEntry("to_number", OUR_NUMBER);
    }

    @ParameterizedTest(name = "{0} = ''{1}''")
    @MethodSource("everyColumnAndFormat")
    void anRcsSenderIsMatchedThroughEachColumnInEachFormat(String column, String stored) {
        storeNumber("c-1", column, stored);

        HttpResponse<String> response = twilio.post(INBOUND, inboundMessage("SM1", "rcs:" + SENDER, "rcs:crm_agent_01", "hi"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(TWIML);
        assertThat(message("SM1")).containsEntry("contact_id", "c-1").containsEntry("channel", "rcs")
                .containsEntry("from_number", SENDER).containsEntry("to_number", "crm_agent_01");
    }

    @Test
    void aNumberWithTheSameDigitsInAnotherCountryIsNotAMatch() {
        storeNumber("c-swiss", "contacts.mobile", "+41 2345678 ");  // digits 412345678, but +412345678
        storeNumber("c-other", "contacts.phone", "0412 345 679");

        twilio.post(INBOUND, inboundMessage("SM1", SENDER, OUR_NUMBER, "hi"));

        assertThat(message("SM1")).containsEntry("contact_id", null);
    }

    @Test
    void aSenderThatIsNoPhoneNumberIsStoredWithoutAContact() {
        storeNumber("c-1", "contacts.mobile", "+61 412 345 678");

        assertThat(twilio.post(INBOUND, inboundMessage("SM1", "ACME", OUR_NUMBER, "Your code is 1234")).statusCode()).isEqualTo(200);

        assertThat(message("SM1")).containsEntry("contact_id", null).containsEntry("from_number", "ACME");
    }

    @Test
    void ofSeveralContactsWithTheNumberTheRelationshipProfileForTheChannelWinsThenTheLowestId() {
        storeNumber("c-a", "contacts.phone", "0412 345 678");
        storeNumber("c-b", "contacts.mobile", "0412 345 678");
        storeNumber("c-c", "contacts.mobile", "+61412345678");
        storeNumber("c-y", "contact_relationship_profiles.whatsapp_number", "+61 412 345 678");
        storeNumber("c-z", "contact_relationship_profiles.phone_number", "61412345678");

        twilio.post(INBOUND, inboundMessage("SM1", SENDER, OUR_NUMBER, "sms"));
        twilio.post(INBOUND, inboundMessage("SM2", "whatsapp:" + SENDER, "whatsapp:" + OUR_NUMBER, "whatsapp"));
        twilio.post(INBOUND, inboundMessage("SM5", "rcs:" + SENDER, "rcs:crm_agent_01", "rcs"));
        jdbc.update("delete from contact_relationship_profiles");
        twilio.post(INBOUND, inboundMessage("SM3", SENDER, OUR_NUMBER, "sms, no profiles"));
        jdbc.update("delete from contacts where mobile is not null");
        twilio.post(INBOUND, inboundMessage("SM4", SENDER, OUR_NUMBER, "sms, phone only"));

        assertThat(message("SM1")).containsEntry("contact_id", "c-z");
        assertThat(message("SM2")).containsEntry("contact_id", "c-y");
        assertThat(message("SM5")).as("RCS comes from the phone's number, as SMS").containsEntry("contact_id", "c-z");
        assertThat(message("SM3")).containsEntry("contact_id", "c-b");
        assertThat(message("SM4")).containsEntry("contact_id", "c-a");
    }

    @Test
    void aRepeatedMessageSidStoresNothingNewAndGetsTheSameAnswer() {
        Map<String, String> message = inboundMessage("SM1", SENDER, OUR_NUMBER, "once");
        HttpResponse<String> first = twilio.post(INBOUND, message);
        storeNumber("c-1", "contacts.mobile", SENDER); // even a sender known by now changes nothing
        var afterFirst = db.snapshot();

        HttpResponse<String> repeat = twilio.post(INBOUND, message);

        assertThat(repeat.statusCode()).isEqualTo(first.statusCode()).isEqualTo(200);
        assertThat(repeat.body()).isEqualTo(first.body()).isEqualTo(TWIML);
        assertThat(db.snapshot()).isEqualTo(afterFirst);
        assertThat(message("SM1")).containsEntry("contact_id", null);
    }

    @Test
    void everyMediaUrlAndContentTypeIsStoredInOrder() throws Exception {
        Map<String, String> message = inboundMessage("MM1", "whatsapp:" + SENDER, "whatsapp:" + OUR_NUMBER, "");
        message.put("NumMedia", "3");
        message.put("MediaContentType10", "application/pdf");
        message.put("MediaUrl10", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME10");
        message.put("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME0");
        message.put("MediaContentType0", "image/jpeg");
        message.put("MediaUrl2", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2");
        message.put("MediaContentType2", "audio/ogg");

        assertThat(twilio.post(INBOUND, message).statusCode()).isEqualTo(200);

        Map<String, Object> row = message("MM1");
        assertThat(row).containsEntry("num_media", 3).containsEntry("body", "");
        assertThat(new ObjectMapper().readTree((String) row.get("media"))).isEqualTo(new ObjectMapper().readTree("""
                [{"url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME0", "contentType": "image/jpeg"},
                 {"url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2", "contentType": "audio/ogg"},
                 {"url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME10", "contentType": "application/pdf"}]
                """));
    }

    /** Twilio adds fields without notice; these are the ones its documentation lists today. */
    @Test
    void everyWhatsAppLocationButtonAndReferralFieldIsKeptInPayloadAndProfileAndLocationAreColumns() throws Exception {
        Map<String, String> message = inboundMessage("SM1", "whatsapp:" + SENDER, "whatsapp:" + OUR_NUMBER, "");
        message.put("MessagingServiceSid", "MGaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        message.put("MessageType", "location");
        message.put("ProfileName", "Ada ✓");
        message.put("WaId", "61412345678");
        message.put("Latitude", "-33.8567844");
        message.put("Longitude", "151.213108");
        message.put("Address", "Bennelong Point, Sydney NSW 2000");
        message.put("Label", "Sydney Opera House");
        message.put("ButtonPayload", "confirm-42");
        message.put("ButtonText", "Yes, confirm");
        message.put("OriginalRepliedMessageSid", "SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        message.put("ReferralBody", "Ask us anything");
        message.put("ReferralHeadline", "Analytical Engines");
        message.put("ReferralSourceId", "1234567890");
        message.put("ReferralSourceType", "ad");
        message.put("ReferralSourceUrl", "https://fb.me/abc");
        message.put("ReferralMediaId", "ME1");
        message.put("ReferralMediaContentType", "image/jpeg");
        message.put("ReferralMediaUrl", "https://api.twilio.com/media/ME1");
        message.put("ReferralNumMedia", "1");
        message.put("ReferralCtwaClid", "ARAkLkA8rmlFeiCktEJQ");

        assertThat(twilio.post(INBOUND, message).statusCode()).isEqualTo(200);

        ObjectMapper json = new ObjectMapper();
        String payload = jdbc.queryForObject("select payload::text from messages where twilio_sid = 'SM1'", String.class);
        assertThat(json.readTree(payload)).isEqualTo(json.valueToTree(message));
        assertThat(jdbc.queryForMap("""
                select profile_name, wa_id, latitude, longitude, location_address, location_label, body
                  from messages where twilio_sid = 'SM1'"""))
                .containsEntry("profile_name", "Ada ✓").containsEntry("wa_id", "61412345678")
                .containsEntry("latitude", -33.8567844).containsEntry("longitude", 151.213108)
                .containsEntry("location_address", "Bennelong Point, Sydney NSW 2000")
                .containsEntry("location_label", "Sydney Opera House").containsEntry("body", "");
        // Reading the generated columns and the payload, as docs/twilio.md shows.
        assertThat(jdbc.queryForList("select twilio_sid from messages where profile_name = 'Ada ✓'", String.class))
                .containsExactly("SM1");
        assertThat(jdbc.queryForList("""
                select twilio_sid from messages
                 where latitude between -34 and -33 and longitude between 151 and 152""", String.class)).containsExactly("SM1");
        assertThat(jdbc.queryForList("select payload->>'ButtonPayload' from messages where payload ? 'ButtonPayload'",
                String.class)).containsExactly("confirm-42");
    }

    @Test
    void aCoordinateThatIsNoNumberIsKeptInPayloadAndLeavesItsColumnEmpty() {
        Map<String, String> message = inboundMessage("SM1", "whatsapp:" + SENDER, "whatsapp:" + OUR_NUMBER, "");
        message.put("Latitude", "north");
        message.put("Longitude", "151.2");

        assertThat(twilio.post(INBOUND, message).statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForMap("select payload->>'Latitude' as sent, latitude, longitude from messages"))
                .containsEntry("sent", "north").containsEntry("latitude", null).containsEntry("longitude", 151.2);
    }

    @Test
    void aNumMediaThatIsNoNumberCountsTheMediaSent() {
        Map<String, String> message = inboundMessage("MM1", SENDER, OUR_NUMBER, "pic");
        message.put("NumMedia", "several");
        message.put("MediaUrl0", "https://api.twilio.com/media/ME0");

        assertThat(twilio.post(INBOUND, message).statusCode()).isEqualTo(200);

        assertThat(message("MM1")).containsEntry("num_media", 1);
    }

    @Test
    void aSignatureOverTheUrlWithAnExplicit443IsAccepted() {
        HttpResponse<String> response = twilio.postSignedFor("https://public.example.com:443" + INBOUND, INBOUND,
                inboundMessage("SM1", SENDER, OUR_NUMBER, "hi"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(db.count("messages")).isEqualTo(1);
    }

    @Test
    void aMissingOrWrongSignatureIs403AndWritesNothing() {
        Map<String, String> message = inboundMessage("SM1", SENDER, OUR_NUMBER, "hi");
        var before = db.snapshot();

        assertRejected(twilio.postWithSignature(INBOUND, message, null), 403, "missing X-Twilio-Signature header");
        assertRejected(twilio.postSignedFor(http.baseUrl() + INBOUND, INBOUND, message), 403, "invalid X-Twilio-Signature");
        assertRejected(twilio.postSignedFor(TestInfrastructure.PUBLIC_BASE_URL + TwilioRequests.MESSAGE_STATUS, INBOUND, message),
                403, "invalid X-Twilio-Signature");
        String signature = TwilioRequests.signature(TestInfrastructure.TWILIO_AUTH_TOKEN,
                TestInfrastructure.PUBLIC_BASE_URL + INBOUND, message);
        Map<String, String> withAddedField = new LinkedHashMap<>(message);
        withAddedField.put("ProfileName", "Mallory");
        assertRejected(twilio.postWithSignature(INBOUND, withAddedField, signature), 403, "invalid X-Twilio-Signature");

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void withoutFromToOrMessageSidIs400AndWritesNothing() {
        var before = db.snapshot();
        for (String field : List.of("From", "To", "MessageSid")) {
            Map<String, String> message = inboundMessage("SM1", SENDER, OUR_NUMBER, "hi");
            message.remove(field);
            assertRejected(twilio.post(INBOUND, message), 400, field + " is required");
        }
        assertRejected(twilio.post(INBOUND, inboundMessage("SM1", "whatsapp:", OUR_NUMBER, "hi")), 400, "From is required");
        assertRejected(twilio.post(INBOUND, inboundMessage("SM1", SENDER, " ", "hi")), 400, "To is required");
        assertRejected(twilio.post(INBOUND, inboundMessage("SM1", "rcs: ", "rcs:crm_agent_01", "hi")), 400, "From is required");
        assertRejected(twilio.post(INBOUND, inboundMessage("SM1", "rcs:" + SENDER, "whatsapp:" + OUR_NUMBER, "hi")), 400,
                "From and To name different channels");

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void anythingButAFormIs415AndABodyOverTheLimitIs413AndNeitherWritesAnything() {
        var before = db.snapshot();

        assertRejected(http.post(INBOUND, "application/json", "{\"From\":\"" + SENDER + "\"}", Map.of()), 415,
                "Content-Type must be application/x-www-form-urlencoded");
        assertRejected(http.post(INBOUND, "multipart/form-data; boundary=x", "--x--", Map.of()), 415,
                "Content-Type must be application/x-www-form-urlencoded");
        Map<String, String> huge = inboundMessage("SM1", SENDER, OUR_NUMBER, "x".repeat(1_048_577));
        assertThat(twilio.post(INBOUND, huge).statusCode()).isEqualTo(413);
        assertRejected(http.post(INBOUND, "application/x-www-form-urlencoded", "From=%", Map.of()), 400, "malformed form body");

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aDatabaseGoingDownMidRequestKeepsTheMessageInTheSpoolAndStoresItWithItsPayloadWhenTheDatabaseIsBack() {
        Map<String, String> message = inboundMessage("SM1", "whatsapp:" + SENDER, "whatsapp:" + OUR_NUMBER, "hi");
        message.put("ProfileName", "Ada");
        HttpResponse<String> response = TwilioMessageStatusWebhookTest.whileTheDatabaseShutsDownOnInsertInto("messages",
                () -> twilio.post(INBOUND, message));

        // Answered as stored: Twilio does not come back.
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("<Response></Response>");
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("messages") == 1);
        assertThat(jdbc.queryForMap("""
                select body, status, profile_name, payload->>'SmsStatus' as sms_status from messages where twilio_sid = 'SM1'"""))
                .containsEntry("body", "hi").containsEntry("status", "received").containsEntry("profile_name", "Ada")
                .containsEntry("sms_status", "received");
    }

    private void storeNumber(String contactId, String column, String number) {
        switch (column) {
            case "contacts.mobile" -> jdbc.update("insert into contacts (id, mobile) values (?, ?)", contactId, number);
            case "contacts.phone" -> jdbc.update("insert into contacts (id, phone) values (?, ?)", contactId, number);
            case "contact_relationship_profiles.phone_number" -> jdbc.update(
                    "insert into contact_relationship_profiles (contact_id, phone_number) values (?, ?)", contactId, number);
            case "contact_relationship_profiles.whatsapp_number" -> jdbc.update(
                    "insert into contact_relationship_profiles (contact_id, whatsapp_number) values (?, ?)", contactId, number);
            default -> throw new IllegalArgumentException(column);
        }
    }

    private Map<String, Object> message(String twilioSid) {
        return jdbc.queryForMap("""
                select contact_id, direction, channel, from_number, to_number, body, num_media, media::text as media, status
                from messages where twilio_sid = ?""", twilioSid);
    }
}
