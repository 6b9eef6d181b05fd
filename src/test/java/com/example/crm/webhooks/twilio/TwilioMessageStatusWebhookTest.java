package com.example.crm.webhooks.twilio;

import static com.example.crm.webhooks.support.TwilioRequests.MESSAGE_STATUS;
import static com.example.crm.webhooks.support.TwilioRequests.statusCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** POST /api/webhooks/twilio/message-status: statuses move forward only, every callback kept once. */
class TwilioMessageStatusWebhookTest extends WebhookServiceTest {

    private TwilioRequests twilio;

    @BeforeEach
    void twilio() {
        twilio = new TwilioRequests(http);
    }

    @Test
    void aSignedCallbackIs204WithAnEmptyBodyAndMovesTheMessageOn() {
        outboundMessage("SM1", "queued");

        HttpResponse<String> response = twilio.post(MESSAGE_STATUS, statusCallback("SM1", "sent"));

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("Content-Type")).isEmpty();
        assertThat(statusOf("SM1")).containsExactly("sent", null);
        Map<String, Object> event = jdbc.queryForMap(
                "select twilio_sid, status, error_code, payload ->> 'AccountSid' as account from message_status_events");
        assertThat(event).containsEntry("twilio_sid", "SM1").containsEntry("status", "sent")
                .containsEntry("account", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    }

    @Test
    void theErrorCodeTravelsWithTheStatus() {
        outboundMessage("SM1", "sent");
        Map<String, String> undelivered = statusCallback("SM1", "undelivered");
        undelivered.put("ErrorCode", "30003");

        assertThat(twilio.post(MESSAGE_STATUS, undelivered).statusCode()).isEqualTo(204);

        assertThat(statusOf("SM1")).containsExactly("undelivered", "30003");
        assertThat(jdbc.queryForObject("select error_code from message_status_events", String.class)).isEqualTo("30003");
    }

    @Test
    void statusesInOrderEachMoveTheMessageOn() {
        outboundMessage("SM1", null);
        for (String status : List.of("accepted", "queued", "sending", "sent", "delivered", "read")) {
            assertThat(twilio.post(MESSAGE_STATUS, statusCallback("SM1", status)).statusCode()).isEqualTo(204);
            assertThat(statusOf("SM1").get(0)).isEqualTo(status);
        }
        assertThat(db.count("message_status_events")).isEqualTo(6);
    }

    @Test
    void anEarlierStatusArrivingLateNeverMovesTheMessageBack() {
        outboundMessage("SM1", "queued");
        post("SM1", "delivered");
        post("SM1", "sent");
        post("SM1", "queued");

        assertThat(statusOf("SM1").get(0)).isEqualTo("delivered");
        assertThat(eventStatuses("SM1")).containsExactlyInAnyOrder("delivered", "sent", "queued");
    }

    @Test
    void deliveredMovesOnToReadButReadStays() {
        outboundMessage("SM1", "sent");
        outboundMessage("SM2", "sent");
        post("SM1", "delivered");
        post("SM1", "read");
        post("SM2", "read");
        post("SM2", "delivered");

        assertThat(statusOf("SM1").get(0)).isEqualTo("read");
        assertThat(statusOf("SM2").get(0)).isEqualTo("read");
    }

    @Test
    void aFailureIsFinalEvenForLaterStatuses() {
        outboundMessage("SM1", "sent");
        Map<String, String> failed = statusCallback("SM1", "failed");
        failed.put("ErrorCode", "30008");
        twilio.post(MESSAGE_STATUS, failed);
        post("SM1", "delivered");
        post("SM1", "read");

        assertThat(statusOf("SM1")).containsExactly("failed", "30008");
        outboundMessage("SM2", "scheduled");
        post("SM2", "canceled");
        post("SM2", "queued");
        assertThat(statusOf("SM2").get(0)).isEqualTo("canceled");
    }

    @Test
    void aRepeatedCallbackIsKeptOnceAndChangesNothing() {
        outboundMessage("SM1", "queued");
        Map<String, String> sent = statusCallback("SM1", "sent");
        assertThat(twilio.post(MESSAGE_STATUS, sent).statusCode()).isEqualTo(204);
        var afterFirst = db.snapshot();

        HttpResponse<String> repeat = twilio.post(MESSAGE_STATUS, sent);

        assertThat(repeat.statusCode()).isEqualTo(204);
        assertThat(repeat.body()).isEmpty();
        assertThat(db.snapshot()).isEqualTo(afterFirst);
        assertThat(db.count("message_status_events")).isEqualTo(1);
    }

    @Test
    void aStatusTwilioMayAddLaterIsKeptButNotApplied() {
        outboundMessage("SM1", "sent");
        post("SM1", "teleported");

        assertThat(statusOf("SM1").get(0)).isEqualTo("sent");
        assertThat(eventStatuses("SM1")).containsExactly("teleported");
    }

    @Test
    void aCallbackForAMessageNotRecordedYetIsKeptAndAppliedWhenTheRowAppears() {
        Map<String, String> undelivered = statusCallback("SM9", "undelivered");
        undelivered.put("ErrorCode", "30005");
        assertThat(twilio.post(MESSAGE_STATUS, statusCallback("SM9", "sent")).statusCode()).isEqualTo(204);
        assertThat(twilio.post(MESSAGE_STATUS, undelivered).statusCode()).isEqualTo(204);
        assertThat(twilio.post(MESSAGE_STATUS, statusCallback("SM9", "queued")).statusCode()).isEqualTo(204);
        assertThat(db.count("messages")).isZero();
        assertThat(db.count("message_status_events")).isEqualTo(3);

        // The CRM records its outbound send with plain SQL, after Twilio called back.
        jdbc.update("insert into messages (id, direction, channel, twilio_sid, status) values ('m9', 'outbound', 'sms', 'SM9', 'queued')");

        assertThat(statusOf("SM9")).containsExactly("undelivered", "30005");
    }

    @Test
    void aRowRecordedFurtherAlongThanItsEarlyCallbacksKeepsItsStatus() {
        post("SM9", "queued");
        post("SM9", "sent");
        jdbc.update("insert into messages (id, direction, twilio_sid, status) values ('m9', 'outbound', 'SM9', 'delivered')");

        assertThat(statusOf("SM9").get(0)).isEqualTo("delivered");
    }

    @Test
    void earlyCallbacksApplyWhenTheCrmSetsTheSidOnAnExistingRow() {
        jdbc.update("insert into messages (id, direction, status) values ('m9', 'outbound', 'queued')");
        post("SM9", "sent");
        post("SM9", "delivered");

        jdbc.update("update messages set twilio_sid = 'SM9' where id = 'm9'");

        assertThat(statusOf("SM9").get(0)).isEqualTo("delivered");
    }

    @Test
    void aCallbackRacingTheCrmsInsertWaitsForItAndIsApplied() throws Exception {
        try (Connection crm = DriverManager.getConnection(TestInfrastructure.jdbcUrl())) {
            crm.setAutoCommit(false);
            crm.createStatement().execute(
                    "insert into messages (id, direction, twilio_sid, status) values ('m9', 'outbound', 'SM9', 'queued')");

            // The CRM's transaction is open: the callback cannot see its row yet, and must wait for it.
            CompletableFuture<HttpResponse<String>> callback = CompletableFuture.supplyAsync(
                    () -> twilio.post(MESSAGE_STATUS, statusCallback("SM9", "delivered")));
            await("the callback waits for the CRM's transaction").atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                    "select count(*) from pg_locks where locktype = 'advisory' and not granted", Integer.class) == 1);
            crm.commit();

            assertThat(callback.get().statusCode()).isEqualTo(204);
        }
        assertThat(statusOf("SM9").get(0)).isEqualTo("delivered");
    }

    @Test
    void theSignatureIsOverThePublicUrlNotTheAddressTheServiceIsReachedAt() {
        // The service is reached at http://127.0.0.1:<port>; Twilio signed https://public.example.com.
        outboundMessage("SM1", "queued");
        String internalUrl = http.baseUrl() + MESSAGE_STATUS;
        assertRejected(twilio.postSignedFor(internalUrl, MESSAGE_STATUS, statusCallback("SM1", "sent")),
                403, "invalid X-Twilio-Signature");

        assertThat(twilio.postSignedFor(TestInfrastructure.PUBLIC_BASE_URL + MESSAGE_STATUS, MESSAGE_STATUS,
                statusCallback("SM1", "sent")).statusCode()).isEqualTo(204);
    }

    @Test
    void aSignatureOverTheUrlWithAnExplicit443IsAccepted() {
        outboundMessage("SM1", "queued");

        HttpResponse<String> response = twilio.postSignedFor("https://public.example.com:443" + MESSAGE_STATUS, MESSAGE_STATUS,
                statusCallback("SM1", "sent"));

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(statusOf("SM1").get(0)).isEqualTo("sent");
    }

    @Test
    void theQueryStringIsPartOfTheSignedUrl() {
        outboundMessage("SM1", "queued");
        String withQuery = MESSAGE_STATUS + "?account=main&note=a%20b";

        assertThat(twilio.post(withQuery, statusCallback("SM1", "sent")).statusCode()).isEqualTo(204);
        assertRejected(twilio.postSignedFor(TestInfrastructure.PUBLIC_BASE_URL + MESSAGE_STATUS, withQuery,
                statusCallback("SM1", "delivered")), 403, "invalid X-Twilio-Signature");
        assertThat(statusOf("SM1").get(0)).isEqualTo("sent");
    }

    @Test
    void aMissingOrWrongSignatureIs403AndWritesNothing() {
        outboundMessage("SM1", "queued");
        Map<String, String> sent = statusCallback("SM1", "sent");
        String good = TwilioRequests.signature(TestInfrastructure.TWILIO_AUTH_TOKEN,
                TestInfrastructure.PUBLIC_BASE_URL + MESSAGE_STATUS, sent);
        Map<String, String> tampered = statusCallback("SM1", "delivered");
        var before = db.snapshot();

        assertRejected(twilio.postWithSignature(MESSAGE_STATUS, sent, null), 403, "missing X-Twilio-Signature header");
        assertRejected(twilio.postWithSignature(MESSAGE_STATUS, sent, ""), 403, "missing X-Twilio-Signature header");
        assertRejected(twilio.postWithSignature(MESSAGE_STATUS, sent, "bm90IGEgc2lnbmF0dXJl"), 403, "invalid X-Twilio-Signature");
        assertRejected(twilio.postWithSignature(MESSAGE_STATUS, tampered, good), 403, "invalid X-Twilio-Signature");
        assertRejected(twilio.postWithSignature(MESSAGE_STATUS, sent, TwilioRequests.signature("another-accounts-token",
                TestInfrastructure.PUBLIC_BASE_URL + MESSAGE_STATUS, sent)), 403, "invalid X-Twilio-Signature");

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void withoutMessageSidOrMessageStatusIs400AndWritesNothing() {
        outboundMessage("SM1", "queued");
        Map<String, String> noSid = statusCallback("SM1", "sent");
        noSid.remove("MessageSid");
        Map<String, String> noStatus = statusCallback("SM1", "sent");
        noStatus.remove("MessageStatus");
        Map<String, String> blankStatus = statusCallback("SM1", " ");
        var before = db.snapshot();

        assertRejected(twilio.post(MESSAGE_STATUS, noSid), 400, "MessageSid is required");
        assertRejected(twilio.post(MESSAGE_STATUS, noStatus), 400, "MessageStatus is required");
        assertRejected(twilio.post(MESSAGE_STATUS, blankStatus), 400, "MessageStatus is required");
        assertRejected(twilio.post(MESSAGE_STATUS, Map.of()), 400, "MessageSid is required");

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aStatusTooLongForTheIndexIs400AndWritesNothing() {
        outboundMessage("SM1", "queued");
        var before = db.snapshot();

        // PostgreSQL refuses it as a program limit (index row too large, SQLState 54000), not as a data exception.
        Map<String, String> huge = statusCallback("SM1", "x".repeat(400_000));
        assertRejected(twilio.post(MESSAGE_STATUS, huge), 400, "request contains values that cannot be stored");

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void theSignatureIsCheckedBeforeTheFields() {
        Map<String, String> noSid = statusCallback("SM1", "sent");
        noSid.remove("MessageSid");
        assertRejected(twilio.postWithSignature(MESSAGE_STATUS, noSid, null), 403, "missing X-Twilio-Signature header");
    }

    @Test
    void anythingButAFormIs415AndWritesNothing() {
        var before = db.snapshot();

        assertRejected(http.post(MESSAGE_STATUS, "application/json", "{\"MessageSid\":\"SM1\"}", Map.of()), 415,
                "Content-Type must be application/x-www-form-urlencoded");
        assertRejected(http.post(MESSAGE_STATUS, "text/plain", "MessageSid=SM1&MessageStatus=sent", Map.of()), 415,
                "Content-Type must be application/x-www-form-urlencoded");
        assertRejected(http.post(MESSAGE_STATUS, null, "MessageSid=SM1&MessageStatus=sent", Map.of()), 415,
                "Content-Type must be application/x-www-form-urlencoded");

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aBodyOverTheLimitIs413AndWritesNothing() {
        Map<String, String> huge = statusCallback("SM1", "sent");
        huge.put("Padding", "x".repeat(1_048_577));
        var before = db.snapshot();

        HttpResponse<String> response = twilio.post(MESSAGE_STATUS, huge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aMalformedFormIs400NotA5xx() {
        var before = db.snapshot();
        assertRejected(http.post(MESSAGE_STATUS, "application/x-www-form-urlencoded", "MessageSid=%E0%A4%A&MessageStatus=sent",
                Map.of("X-Twilio-Signature", "x")), 400, "malformed form body");
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aDatabaseGoingDownMidRequestKeepsTheCallbackInTheSpoolAndAppliesItWhenTheDatabaseIsBack() {
        outboundMessage("SM1", "queued");

        HttpResponse<String> response = whileTheDatabaseShutsDownOnInsertInto("message_status_events",
                () -> twilio.post(MESSAGE_STATUS, statusCallback("SM1", "sent")));

        // Answered as stored: Twilio does not come back.
        assertThat(response.statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("message_status_events") == 1);
        assertThat(jdbc.queryForObject("select status from messages where twilio_sid = 'SM1'", String.class)).isEqualTo("sent");
    }

    /** Every insert into {@code table} fails as PostgreSQL fails while it shuts down (SQLSTATE 57P01). */
    static <T> T whileTheDatabaseShutsDownOnInsertInto(String table, Supplier<T> action) {
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(TestInfrastructure.jdbcUrl()));
        jdbc.execute("""
                create function test_shutting_down() returns trigger language plpgsql as $$
                begin raise exception 'terminating connection due to administrator command' using errcode = 'admin_shutdown'; end
                $$""");
        jdbc.execute("create trigger test_shutting_down before insert on " + table
                + " for each row execute function test_shutting_down()");
        try {
            return action.get();
        } finally {
            jdbc.execute("drop trigger test_shutting_down on " + table);
            jdbc.execute("drop function test_shutting_down()");
        }
    }

    private void post(String messageSid, String status) {
        assertThat(twilio.post(MESSAGE_STATUS, statusCallback(messageSid, status)).statusCode()).isEqualTo(204);
    }

    private void outboundMessage(String twilioSid, String status) {
        jdbc.update("insert into messages (direction, channel, twilio_sid, status) values ('outbound', 'sms', ?, ?)",
                twilioSid, status);
    }

    private List<String> statusOf(String twilioSid) {
        return jdbc.queryForObject("select status, error_code from messages where twilio_sid = ?",
                (row, n) -> Arrays.asList(row.getString("status"), row.getString("error_code")), twilioSid);
    }

    private List<String> eventStatuses(String twilioSid) {
        return jdbc.queryForList("select status from message_status_events where twilio_sid = ?", String.class, twilioSid);
    }

    static void assertRejected(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"error\":\"" + error + "\"}");
    }
}
