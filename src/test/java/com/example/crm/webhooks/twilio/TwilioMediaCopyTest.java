package com.example.crm.webhooks.twilio;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.operations.DeadLetterReplay;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Inbound media copied to R2 (routes/twilio-media.camel.yaml), with real PostgreSQL and s3proxy:
 * one WireMock plays Twilio's API (it wants HTTP Basic authentication with the API key, answers a
 * media URL with a 307 to a storage host, and takes the Media resource's DELETE), a second one the
 * storage host the redirect points at, which must never see the credentials. Copying and deletion
 * are settings read at start-up, so the class runs its own instance, on a database of its own.
 */
class TwilioMediaCopyTest {

    private static final String API_KEY_SID = "SK0123456789abcdef0123456789abcdef";
    private static final String API_KEY_SECRET = "test-api-key-secret";
    private static final String ACCOUNT = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private static final int MAX_BYTES = 64 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static WireMockServer twilioApi;
    private static WireMockServer storage;
    private static ServiceInstance service;
    private static JdbcTemplate jdbc;
    private static TwilioRequests twilio;
    private final ObjectMapper objectMapper = new ObjectMapper();
    private final Random random = new Random(21);

    @BeforeAll
    static void start() {
        twilioApi = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        storage = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        twilioApi.start();
        storage.start();
        service = ServiceInstance.start("twilio-media", TestInfrastructure.newDatabase("twilio_media"), Map.of(
                "twilio.api-key-sid", API_KEY_SID,
                "twilio.api-key-secret", API_KEY_SECRET,
                // localhost is listed but not trusted: it resolves to a loopback address, which is refused.
                "twilio.media.hosts", "127.0.0.1:" + twilioApi.port() + ",localhost:" + twilioApi.port(),
                "twilio.media.max-bytes", MAX_BYTES,
                // Long enough for a small item on a busy test machine, far shorter than the endless body below.
                "twilio.media.deadline", "15s",
                "twilio.media.delete-after-copy", "true"));
        jdbc = service.jdbc();
        twilio = new TwilioRequests(service.http());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        twilioApi.stop();
        storage.stop();
    }

    @BeforeEach
    void reset() {
        twilioApi.resetAll();
        storage.resetAll();
        // Without the key, Twilio's API refuses (stubs below match only with it).
        twilioApi.stubFor(get(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(401)));
        twilioApi.stubFor(delete(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(401)));
    }

    @Test
    void aWhatsAppMessageWithThreeMediaHasEachCopiedToR2RecordedAndThenDeletedOnTwilio() throws Exception {
        String sid = "MMwhatsapp3media";
        List<Item> items = List.of(
                media(sid, 0, "image/jpeg", bytes(3000)),
                media(sid, 1, "audio/ogg", bytes(5000)),
                media(sid, 2, "application/pdf", bytes(7000)));

        HttpResponse<String> answer = postInbound(sid, "whatsapp:+61412345678", items);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String messageId = awaitJobsFinished(sid, 3);

        JsonNode media = mediaOf(sid);
        String[] extensions = {"jpg", "ogg", "pdf"};
        for (int n = 0; n < 3; n++) {
            Item item = items.get(n);
            String key = "messages/" + messageId + "/media-" + n + "." + extensions[n];
            JsonNode recorded = media.get(n);
            assertThat(recorded.get("url").asText()).isEqualTo(item.url());
            assertThat(recorded.get("contentType").asText()).isEqualTo(item.contentType());
            assertThat(recorded.get("r2Key").asText()).isEqualTo(key);
            assertThat(recorded.get("size").asInt()).isEqualTo(item.bytes().length);
            assertThat(recorded.get("sha256").asText()).isEqualTo(sha256(item.bytes()));
            assertThat(TestInfrastructure.s3().object(TestInfrastructure.BUCKET, key)).isEqualTo(item.bytes());
            assertThat(TestInfrastructure.s3().contentType(TestInfrastructure.BUCKET, key)).isEqualTo(item.contentType());
        }
        assertThat(jdbc.queryForList("select outcome from enrichment_jobs where message_id = ?", String.class, messageId))
                .containsOnly("copied");

        // Each item deleted on Twilio, with the key, after it was recorded on the message.
        for (int n = 0; n < 3; n++) {
            List<LoggedRequest> deletes = twilioApi.findAll(deleteRequestedFor(urlEqualTo(items.get(n).path())));
            assertThat(deletes).as("DELETE of item %d", n).hasSize(1);
            assertThat(deletes.get(0).getHeader("Authorization")).isEqualTo(basicAuthorization());
            Instant copiedAt = OffsetDateTime.parse(media.get(n).get("copiedAt").asText()).toInstant();
            assertThat(deletes.get(0).getLoggedDate().toInstant())
                    .as("the DELETE of item %d came after the copy was recorded", n)
                    .isAfterOrEqualTo(copiedAt.truncatedTo(ChronoUnit.MILLIS));
        }
        // The storage host the redirects pointed at served every item and never saw the credentials.
        List<LoggedRequest> storageRequests = storage.findAll(anyRequestedFor(anyUrl()));
        assertThat(storageRequests).hasSize(3);
        assertThat(storageRequests).allSatisfy(request -> assertThat(request.containsHeader("Authorization")).isFalse());

        // Twilio delivers again: the message is a repeat, and no item is queued or copied twice.
        assertThat(postInbound(sid, "whatsapp:+61412345678", items).statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs where message_id = ?", Integer.class, messageId))
                .isEqualTo(3);
        assertThat(storage.findAll(anyRequestedFor(anyUrl()))).hasSize(3);
    }

    @Test
    void refusedItemsAreDeadLetteredWithTheirReasonAndNothingStoredWhileTheGoodOneIsCopied() throws Exception {
        String sid = "MMrefusals";
        Item good = media(sid, 0, "image/png", bytes(2000));
        String unlisted = "http://127.0.0.1:" + storage.port() + "/elsewhere/ME1";
        String loopback = "http://localhost:" + twilioApi.port() + "/2010-04-01/Accounts/" + ACCOUNT + "/Messages/" + sid + "/Media/ME2";
        Item redirectedToMetadata = redirected(sid, 3, "http://169.254.169.254/latest/meta-data/");
        Item oversized = media(sid, 4, "video/mp4", bytes(MAX_BYTES + 1));
        Item endless = redirected(sid, 5, baseUrl(storage) + "/slow/ME5");
        storage.stubFor(get(urlEqualTo("/slow/ME5")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/jpeg").withBody(bytes(4000)).withChunkedDribbleDelay(40, 200_000)));
        List<Item> items = List.of(good,
                new Item(unlisted, "image/jpeg", null, null),
                new Item(loopback, "image/jpeg", null, null),
                redirectedToMetadata, oversized, endless);

        assertThat(postInbound(sid, "+61412345678", items).statusCode()).isEqualTo(200);
        String messageId = awaitJobsFinished(sid, 6);

        Map<Integer, String> errors = deadLetterErrors(messageId);
        assertThat(errors).containsOnlyKeys(1, 2, 3, 4, 5);
        assertThat(errors.get(1)).contains("is not in TWILIO_MEDIA_HOSTS");
        assertThat(errors.get(2)).contains("host localhost resolves to a non-public address").containsIgnoringCase("loopback");
        assertThat(errors.get(3)).contains("169.254.169.254").contains("non-public address");
        assertThat(errors.get(4)).contains("larger than " + MAX_BYTES + " bytes");
        assertThat(errors.get(5)).contains("took longer than 15 s");

        // Only the good item is in R2 and recorded.
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "messages/" + messageId + "/"))
                .containsExactly("messages/" + messageId + "/media-0.png");
        JsonNode media = mediaOf(sid);
        assertThat(media.get(0).get("r2Key").asText()).isEqualTo("messages/" + messageId + "/media-0.png");
        for (int n = 1; n < 6; n++) {
            assertThat(media.get(n).has("r2Key")).as("item %d recorded", n).isFalse();
        }
        // The host not listed was never asked, the credentials never left Twilio's API, and no
        // refused item was deleted on Twilio.
        assertThat(storage.findAll(anyRequestedFor(urlPathMatching("/elsewhere/.*")))).isEmpty();
        assertThat(storage.findAll(anyRequestedFor(anyUrl())))
                .allSatisfy(request -> assertThat(request.containsHeader("Authorization")).isFalse());
        assertThat(twilioApi.findAll(deleteRequestedFor(anyUrl()))).extracting(LoggedRequest::getUrl)
                .containsExactly(good.path());
    }

    /** Twilio's storage failing for a moment is no refusal: the job tries again and copies the item. */
    @Test
    void anItemWhoseStorageFailsForAMomentIsCopiedOnALaterTry() throws Exception {
        String sid = "MMstoragehiccup";
        byte[] bytes = bytes(2500);
        String storagePath = "/media-store/" + sid + "/0";
        storage.stubFor(get(urlEqualTo(storagePath)).inScenario("hiccup").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        storage.stubFor(get(urlEqualTo(storagePath)).inScenario("hiccup").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "image/gif").withBody(bytes)));
        Item item = redirected(sid, 0, baseUrl(storage) + storagePath);

        assertThat(postInbound(sid, "+61412345678", List.of(new Item(item.url(), "image/gif", bytes, item.path()))).statusCode())
                .isEqualTo(200);
        String messageId = awaitJobsFinished(sid, 1);

        assertThat(deadLetterErrors(messageId)).isEmpty();
        assertThat(jdbc.queryForMap("select state, outcome from enrichment_jobs where message_id = ?", messageId))
                .containsEntry("state", "done").containsEntry("outcome", "copied");
        assertThat(TestInfrastructure.s3().object(TestInfrastructure.BUCKET, "messages/" + messageId + "/media-0.gif"))
                .isEqualTo(bytes);
        assertThat(storage.findAll(anyRequestedFor(urlEqualTo(storagePath)))).hasSize(2);
    }

    /** A message held in the intake spool (its webhook paused) queues its copies when the drain applies it. */
    @Test
    void aMessageAppliedFromTheIntakeSpoolQueuesItsCopiesThen() throws Exception {
        String sid = "MMspooled";
        Item item = media(sid, 0, "image/jpeg", bytes(1800));
        CamelContext camel = service.bean(CamelContext.class);
        camel.getRouteController().suspendRoute("store-twilio-inbound-message");
        try {
            assertThat(postInbound(sid, "+61412345678", List.of(item)).statusCode()).isEqualTo(200);
            assertThat(jdbc.queryForObject("select count(*) from messages where twilio_sid = ?", Integer.class, sid))
                    .as("held, not stored").isZero();
        } finally {
            camel.getRouteController().resumeRoute("store-twilio-inbound-message");
        }
        String messageId = awaitJobsFinished(sid, 1);

        assertThat(mediaOf(sid).get(0).get("r2Key").asText()).isEqualTo("messages/" + messageId + "/media-0.jpg");
        assertThat(TestInfrastructure.s3().object(TestInfrastructure.BUCKET, "messages/" + messageId + "/media-0.jpg"))
                .isEqualTo(item.bytes());
    }

    /** Twilio refusing the DELETE (a key without the right) leaves the copy recorded, and a dead letter that says so. */
    @Test
    void aRefusedDeleteLeavesTheCopyRecordedAndADeadLetter() throws Exception {
        String sid = "MMdeleterefused";
        Item item = media(sid, 0, "image/webp", bytes(1200));
        twilioApi.stubFor(delete(urlEqualTo(item.path())).atPriority(1).willReturn(aResponse().withStatus(403)));

        assertThat(postInbound(sid, "+61412345678", List.of(item)).statusCode()).isEqualTo(200);
        String messageId = awaitJobsFinished(sid, 1);

        assertThat(mediaOf(sid).get(0).get("r2Key").asText()).isEqualTo("messages/" + messageId + "/media-0.webp");
        assertThat(deadLetterErrors(messageId)).containsOnlyKeys(0);
        assertThat(deadLetterErrors(messageId).get(0)).contains("HTTP 403");
        assertThat(twilioApi.findAll(deleteRequestedFor(urlEqualTo(item.path())))).hasSize(1);

        // The key gets the right to delete; the operator replays the letter: the rerun only deletes.
        twilioApi.removeStub(twilioApi.getStubMappings().stream()
                .filter(stub -> stub.getPriority() != null && stub.getPriority() == 1).findFirst().orElseThrow());
        String letter = jdbc.queryForObject("select letter.id from dead_letters letter join enrichment_jobs job on job.id = letter.job_id"
                + " where job.message_id = ?", String.class, messageId);
        assertThat(service.bean(DeadLetterReplay.class).replay(letter)).containsExactly(letter);
        await("the replayed job done").atMost(WAIT).until(() -> "copied".equals(jdbc.queryForObject(
                "select coalesce(outcome, state) from enrichment_jobs where message_id = ?", String.class, messageId)));
        assertThat(twilioApi.findAll(deleteRequestedFor(urlEqualTo(item.path())))).hasSize(2);
        assertThat(storage.findAll(anyRequestedFor(urlPathMatching("/media-store/" + sid + "/.*")))).as("downloaded once").hasSize(1);
    }

    @Test
    void anItemWhoseRecordFailsIsNeverDeletedOnTwilio() throws Exception {
        String sid = "MMrecordfails";
        Item item = media(sid, 0, "image/jpeg", bytes(1500));
        // The database refuses to record a copy on this message (a real trigger, on this test's database only).
        jdbc.execute("""
                create or replace function refuse_media_record() returns trigger language plpgsql as $$
                begin raise exception 'media record refused for the test'; end $$""");
        jdbc.execute("""
                create trigger refuse_media_record before update of media on messages
                for each row when (new.twilio_sid = 'MMrecordfails') execute function refuse_media_record()""");
        try {
            assertThat(postInbound(sid, "+61412345678", List.of(item)).statusCode()).isEqualTo(200);
            String messageId = awaitJobsFinished(sid, 1);

            assertThat(deadLetterErrors(messageId)).containsOnlyKeys(0);
            assertThat(deadLetterErrors(messageId).get(0)).contains("media record refused for the test");
            assertThat(mediaOf(sid).get(0).has("r2Key")).isFalse();
            assertThat(twilioApi.findAll(deleteRequestedFor(anyUrl()))).isEmpty();
        } finally {
            jdbc.execute("drop trigger refuse_media_record on messages");
        }
    }

    /** A media item on Twilio's API: Basic auth required, then a 307 to the storage host serving its bytes. */
    private Item media(String sid, int n, String contentType, byte[] bytes) {
        String storagePath = "/media-store/" + sid + "/" + n;
        storage.stubFor(get(urlEqualTo(storagePath))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", contentType).withBody(bytes)));
        Item item = redirected(sid, n, baseUrl(storage) + storagePath);
        return new Item(item.url(), contentType, bytes, item.path());
    }

    /** A media URL on Twilio's API answering with a redirect to {@code location}; its DELETE answers 204. */
    private Item redirected(String sid, int n, String location) {
        String path = "/2010-04-01/Accounts/" + ACCOUNT + "/Messages/" + sid + "/Media/ME" + n;
        twilioApi.stubFor(get(urlEqualTo(path)).withBasicAuth(API_KEY_SID, API_KEY_SECRET)
                .willReturn(aResponse().withStatus(307).withHeader("Location", location)));
        twilioApi.stubFor(delete(urlEqualTo(path)).withBasicAuth(API_KEY_SID, API_KEY_SECRET)
                .willReturn(aResponse().withStatus(204)));
        return new Item(baseUrl(twilioApi) + path, "image/jpeg", null, path);
    }

    private HttpResponse<String> postInbound(String sid, String from, List<Item> items) {
        Map<String, String> form = TwilioRequests.inboundMessage(sid, from,
                from.startsWith("whatsapp:") ? "whatsapp:+61298765432" : "+61298765432", "look at these");
        form.put("NumMedia", String.valueOf(items.size()));
        for (int n = 0; n < items.size(); n++) {
            form.put("MediaUrl" + n, items.get(n).url());
            form.put("MediaContentType" + n, items.get(n).contentType());
        }
        return twilio.post(TwilioRequests.INBOUND, form);
    }

    /** Waits until every media job of the message is done or dead; answers the message's id. */
    private String awaitJobsFinished(String sid, int jobs) {
        await("message " + sid + " stored").atMost(WAIT).until(() -> jdbc.queryForObject(
                "select count(*) from messages where twilio_sid = ?", Integer.class, sid) == 1);
        String messageId = jdbc.queryForObject("select id from messages where twilio_sid = ?", String.class, sid);
        await("the media jobs of " + sid + " finished").atMost(WAIT).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "select count(*) from enrichment_jobs where message_id = ? and state in ('done', 'dead')", Integer.class, messageId))
                .isEqualTo(jobs));
        return messageId;
    }

    /** The dead letters of the message's media jobs: item number to error. */
    private Map<Integer, String> deadLetterErrors(String messageId) {
        Map<Integer, String> errors = new java.util.TreeMap<>();
        jdbc.query("""
                select job.media_item, letter.error from dead_letters letter join enrichment_jobs job on job.id = letter.job_id
                 where job.message_id = ? and letter.route_id = 'copy-twilio-media'""",
                rs -> {
                    errors.put(rs.getInt(1), rs.getString(2));
                }, messageId);
        return errors;
    }

    private JsonNode mediaOf(String sid) throws IOException {
        return objectMapper.readTree(jdbc.queryForObject("select media::text from messages where twilio_sid = ?", String.class, sid));
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** By the address the test profile trusts (WireMock's own base URL says localhost, which is refused). */
    private static String baseUrl(WireMockServer server) {
        return "http://127.0.0.1:" + server.port();
    }

    private static String basicAuthorization() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((API_KEY_SID + ":" + API_KEY_SECRET).getBytes());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A media item as sent in the form, its bytes where it has any, and its path on Twilio's API. */
    private record Item(String url, String contentType, byte[] bytes, String path) {
    }
}
