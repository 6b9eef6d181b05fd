package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST /api/webhooks/reversecontact/resolve: every shape of result Reverse Contact is known to send
 * is recorded in resolve_callbacks with its payload and outcome; a resolved one saves the URL and
 * queues one job, a no match or an errored lookup changes nothing else, each answered after the
 * commit; every bad request is refused without a write. Enrichment is paused so the queued jobs
 * stay as the callback left them.
 */
class ResolveCallbackTest extends WebhookServiceTest {

    private static final String PATH = "/api/webhooks/reversecontact/resolve";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADA_URL = "https://www.linkedin.com/in/ada-lovelace";
    private static final String ADA = "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}}";


    private EnrichmentPause enrichmentPaused;

    @BeforeEach
    void pauseEnrichmentAndAddEntities() {
        enrichmentPaused = EnrichmentPause.of(camelContext);
        jdbc.update("insert into companies (id, name) values ('co-1', 'Analytical Engines')");
        jdbc.update("insert into contacts (id, first_name) values ('ct-1', 'Ada')");
        jdbc.update("insert into people (id) values ('p-1')");
    }

    @AfterEach
    void resumeEnrichment() {
        enrichmentPaused.close();
    }

    @Test
    void savesTheUrlOnACompanyAndQueuesOneJob() {
        HttpResponse<String> response = http.postJson(PATH + "?type=company&id=co-1",
                "{\"success\":true,\"data\":{\"linkedInUrl\":\"https://www.linkedin.com/company/analytical-engines\"}}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"ok\":true}");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(jdbc.queryForObject("select linkedin_url from companies where id = 'co-1'", String.class))
                .isEqualTo("https://www.linkedin.com/company/analytical-engines");
        assertThat(jdbc.queryForList("select entity_type, entity_id, linkedin_url, state, attempts from enrichment_jobs"))
                .containsExactly(Map.of("entity_type", "company", "entity_id", "co-1",
                        "linkedin_url", "https://www.linkedin.com/company/analytical-engines", "state", "pending", "attempts", 0));
    }

    @Test
    void savesTheUrlOnAContactAndOnAPerson() {
        assertThat(http.postJson(PATH + "?type=contact&id=ct-1", ADA).statusCode()).isEqualTo(200);
        assertThat(http.postJson(PATH + "?id=p-1&type=person", ADA).statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForObject("select linkedin_url from contacts where id = 'ct-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada-lovelace");
        assertThat(jdbc.queryForObject("select linkedin_url from people where id = 'p-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada-lovelace");
        assertThat(jdbc.queryForList("select entity_type || ':' || entity_id from enrichment_jobs order by 1", String.class))
                .containsExactly("contact:ct-1", "person:p-1");
    }

    @Test
    void normalisesTheUrl() {
        String body = "{\"data\":{\"linkedinUrl\":\"http://UK.LinkedIn.com/in/ada-lovelace///?trk=abc#top\"}}";
        assertThat(http.postJson(PATH + "?type=person&id=p-1", body).statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForObject("select linkedin_url from people where id = 'p-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada-lovelace");
        assertThat(jdbc.queryForObject("select linkedin_url from enrichment_jobs", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada-lovelace");
    }

    @Test
    void decodesTheQueryString() {
        jdbc.update("insert into people (id) values ('p 2/ü')");
        assertThat(http.postJson(PATH + "?type=person&id=p%202%2F%C3%BC", ADA).statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select entity_id from enrichment_jobs", String.class)).isEqualTo("p 2/ü");
    }

    @Test
    void aRepeatedCallbackQueuesNoSecondJob() {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = http.postJson(PATH + "?type=contact&id=ct-1", ADA);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"ok\":true}");
        }
        assertThat(db.count("enrichment_jobs")).isEqualTo(1);
        assertThat(db.count("resolve_callbacks")).isEqualTo(1);
    }

    @Test
    void aRepeatedCallbackAfterTheRefreshPeriodQueuesANewOne() {
        http.postJson(PATH + "?type=contact&id=ct-1", ADA);
        // Queued longer ago than ENRICHMENT_REFRESH_PERIOD (a day here).
        jdbc.update("update enrichment_jobs set state = 'done', created_at = now() - interval '25 hours'");

        assertThat(http.postJson(PATH + "?type=contact&id=ct-1", ADA).statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForList("select state from enrichment_jobs order by state", String.class))
                .containsExactly("done", "pending");
    }

    @Test
    void aRepeatedCallbackWithinTheRefreshPeriodQueuesNothingOnceTheJobFinished() {
        http.postJson(PATH + "?type=contact&id=ct-1", ADA);
        jdbc.update("update enrichment_jobs set state = 'done', outcome = 'enriched', created_at = now() - interval '23 hours'");

        HttpResponse<String> repeated = http.postJson(PATH + "?type=contact&id=ct-1", ADA);

        assertThat(repeated.statusCode()).isEqualTo(200);
        assertThat(repeated.body()).isEqualTo("{\"ok\":true}");
        assertThat(jdbc.queryForList("select state from enrichment_jobs", String.class)).containsExactly("done");
        assertThat(db.count("resolve_callbacks")).isEqualTo(1);
    }

    @Test
    void aCallbackBackToAnEarlierUrlWithinTheRefreshPeriodQueuesItsJob() {
        String grace = "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/grace-hopper\"}}";
        http.postJson(PATH + "?type=contact&id=ct-1", ADA);
        jdbc.update("update enrichment_jobs set state = 'done', outcome = 'enriched'");
        http.postJson(PATH + "?type=contact&id=ct-1", grace);
        jdbc.update("update enrichment_jobs set state = 'done', outcome = 'enriched' where state = 'pending'");

        assertThat(http.postJson(PATH + "?type=contact&id=ct-1", ADA).statusCode()).isEqualTo(200);

        // The entity's profile is Grace's now: Ada's URL is fetched again.
        assertThat(jdbc.queryForList("select linkedin_url from enrichment_jobs where state = 'pending'", String.class))
                .containsExactly(ADA_URL);
        assertThat(jdbc.queryForObject("select linkedin_url from contacts where id = 'ct-1'", String.class)).isEqualTo(ADA_URL);
    }

    @Test
    void theCallbackReceivedLastWinsWhateverOrderTheyAreApplied() throws IOException {
        Instant older = Instant.parse("2026-03-01T10:00:00.000001Z");
        String grace = "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/grace-hopper\"}}";
        // As a drained spool may apply them: the newer first, then the older.
        applySpooled(grace, older.plusMillis(3));
        applySpooled(ADA, older);

        assertThat(jdbc.queryForObject("select linkedin_url from contacts where id = 'ct-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/grace-hopper");
        assertThat(jdbc.queryForList("select linkedin_url, state from enrichment_jobs"))
                .containsExactly(Map.of("linkedin_url", "https://www.linkedin.com/in/grace-hopper", "state", "pending"));
        assertThat(jdbc.queryForList("select linkedin_url from resolve_callbacks order by received_at", String.class))
                .containsExactly(ADA_URL, "https://www.linkedin.com/in/grace-hopper");
    }

    /** A resolve callback for ct-1 through the drain's own route, as received at {@code receivedAt}. */
    private void applySpooled(String body, Instant receivedAt) throws IOException {
        WebhookDelivery delivery = new WebhookDelivery("reversecontact-resolve", PATH + "?type=contact&id=ct-1",
                Map.of("content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8), receivedAt);
        try (ProducerTemplate producer = camelContext.createProducerTemplate()) {
            producer.requestBody("direct:apply-spooled-webhook", delivery);
        }
    }

    @Test
    void aNewUrlForTheSameEntityTakesOverItsOpenJob() {
        http.postJson(PATH + "?type=contact&id=ct-1", ADA);
        // The job had failed once and waits for its retry: the new URL is a fresh start, due now.
        jdbc.update("update enrichment_jobs set attempts = 1, next_attempt_at = now() + interval '1 hour', last_error = 'HTTP 502'");
        String jobId = jdbc.queryForObject("select id from enrichment_jobs", String.class);

        assertThat(http.postJson(PATH + "?type=contact&id=ct-1", "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-king\"}}")
                .statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForObject("select linkedin_url from contacts where id = 'ct-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada-king");
        assertThat(jdbc.queryForList("select id, linkedin_url, state, attempts, last_error, next_attempt_at <= now() as due from enrichment_jobs"))
                .singleElement().satisfies(job -> assertThat(job)
                        .containsEntry("id", jobId).containsEntry("linkedin_url", "https://www.linkedin.com/in/ada-king")
                        .containsEntry("state", "pending").containsEntry("attempts", 0).containsEntry("last_error", null)
                        .containsEntry("due", true));
    }

    @Test
    void aNewUrlTakesOverARunningJobFromItsWorker() {
        http.postJson(PATH + "?type=person&id=p-1", ADA);
        jdbc.update("update enrichment_jobs set state = 'running', attempts = 1, lease_owner = 'some-worker', lease_until = now() + interval '1 minute'");

        http.postJson(PATH + "?type=person&id=p-1", "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-king\"}}");

        assertThat(jdbc.queryForList("select linkedin_url, state, attempts, lease_owner from enrichment_jobs"))
                .singleElement().satisfies(job -> assertThat(job)
                        .containsEntry("linkedin_url", "https://www.linkedin.com/in/ada-king").containsEntry("state", "pending")
                        .containsEntry("attempts", 0).containsEntry("lease_owner", null));
    }

    @Test
    void aRepeatedCallbackLeavesARunningJobAlone() {
        http.postJson(PATH + "?type=person&id=p-1", ADA);
        jdbc.update("update enrichment_jobs set state = 'running', attempts = 1, lease_owner = 'some-worker', lease_until = now() + interval '1 minute'");
        var before = db.snapshot().get("enrichment_jobs");

        assertThat(http.postJson(PATH + "?type=person&id=p-1", ADA).statusCode()).isEqualTo(200);

        assertThat(db.snapshot().get("enrichment_jobs")).isEqualTo(before);
    }

    /** Every shape README lists as resolved: Ada's URL saved, one job, the callback recorded as received. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}}",
            "{\"data\":{\"linkedInUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}}",
            "{\"success\":true,\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\",\"firstName\":\"Ada\"}}",
            "{\"status\":\"succeeded\",\"result\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}}",
            "{\"id\":\"wh-1\",\"status\":\"SUCCEEDED\",\"result\":{\"linkedInUrl\":\"http://uk.linkedin.com/in/ada-lovelace/\"},\"errorCode\":null}",
            "{\"status\":\"succeeded\",\"result\":[{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}]}",
            "{\"success\":true,\"data\":[\"https://www.linkedin.com/in/ada-lovelace\"]}",
            "{\"success\":true,\"data\":{\"candidates\":[{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}]}}",
            "{\"status\":\"succeeded\",\"result\":{\"profiles\":[{\"linkedInUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}]}}",
            "{\"success\":true,\"data\":{\"results\":[{\"linkedinUrl\":null},{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}]}}"})
    void everyKnownShapeOfAResultIsSavedAndRecorded(String body) throws Exception {
        HttpResponse<String> response = http.postJson(PATH + "?type=person&id=p-1", body);

        assertOneCallbackRecorded(response, body, "person", "p-1", "resolved", ADA_URL, null);
        assertThat(jdbc.queryForObject("select linkedin_url from people where id = 'p-1'", String.class)).isEqualTo(ADA_URL);
        assertThat(jdbc.queryForList("select entity_type || ':' || entity_id || ' ' || linkedin_url from enrichment_jobs", String.class))
                .containsExactly("person:p-1 " + ADA_URL);
    }

    @Test
    void ofSeveralCandidatesTheFirstIsTakenAndTheRestAreKeptInThePayload() throws Exception {
        String body = """
                {"status": "succeeded", "result": {"candidates": [
                  {"linkedinUrl": "https://www.linkedin.com/in/ada-lovelace", "score": 0.9},
                  {"linkedInUrl": "https://www.linkedin.com/in/ada-king", "score": 0.5},
                  {"linkedinUrl": "https://www.linkedin.com/in/augusta-ada", "score": 0.1}]}}""";

        assertThat(http.postJson(PATH + "?type=contact&id=ct-1", body).statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForObject("select linkedin_url from contacts where id = 'ct-1'", String.class)).isEqualTo(ADA_URL);
        assertThat(jdbc.queryForList("select linkedin_url from enrichment_jobs", String.class)).containsExactly(ADA_URL);
        assertThat(jdbc.queryForObject("select linkedin_url from resolve_callbacks", String.class)).isEqualTo(ADA_URL);
        // docs/reverse-contact.md's way of reading them gives the candidates in Reverse Contact's order.
        Matcher readme = Pattern.compile("jsonb_path_query_array\\(payload, '[^']*'\\)")
                .matcher(Files.readString(Path.of("docs/reverse-contact.md")));
        assertThat(readme.find()).as("docs/reverse-contact.md's query of the candidates").isTrue();
        JsonNode candidates = JSON.readTree(jdbc.queryForObject("select " + readme.group() + "::text from resolve_callbacks", String.class));
        assertThat(candidates.findValuesAsText("score")).containsExactly("0.9", "0.5", "0.1");
        assertThat(candidates).isEqualTo(JSON.readTree(body).at("/result/candidates"));
    }

    /** A lookup that found nobody: 200, recorded, and the entity keeps the URL it had; no job. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"success\":true,\"data\":null}",
            "{\"success\":true}",
            "{\"success\":true,\"data\":{}}",
            "{\"success\":true,\"data\":{\"linkedinUrl\":null}}",
            "{\"success\":true,\"data\":{\"linkedInUrl\":\"\"}}",
            "{\"status\":\"succeeded\",\"result\":null}",
            "{\"status\":\"succeeded\",\"result\":[]}",
            "{\"status\":\"succeeded\",\"result\":{\"candidates\":[]}}",
            "{\"data\":[]}",
            "{\"data\":{\"profiles\":[]}}"})
    void aNoMatchIsRecordedAndChangesNothingElse(String body) throws Exception {
        jdbc.update("update people set linkedin_url = 'https://www.linkedin.com/in/known' where id = 'p-1'");
        var people = db.snapshot().get("people");

        HttpResponse<String> response = http.postJson(PATH + "?type=person&id=p-1", body);

        assertOneCallbackRecorded(response, body, "person", "p-1", "no_match", null, null);
        assertThat(db.snapshot().get("people")).isEqualTo(people);
        assertThat(db.count("enrichment_jobs")).isZero();
    }

    /** A lookup that failed: 200, recorded with Reverse Contact's error code, nothing else changes (a URL beside it is not taken). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "{\"status\":\"errored\",\"result\":null,\"errorCode\":\"EMAIL_NOT_RESOLVABLE\"} | EMAIL_NOT_RESOLVABLE",
            "{\"status\":\"errored\",\"result\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"},\"errorCode\":42} | 42",
            "{\"success\":false,\"error\":{\"message\":\"Out of credits\",\"code\":\"credits_exhausted\"}} | credits_exhausted",
            "{\"success\":false,\"error\":\"Timed out\"} | null",
            "{\"status\":\"succeeded\",\"success\":false} | null",
            "{\"errorCode\":\"INVALID_EMAIL\"} | INVALID_EMAIL"})
    void anErroredLookupIsRecordedWithItsCodeAndChangesNothingElse(String body, String errorCode) throws Exception {
        var companies = db.snapshot().get("companies");

        HttpResponse<String> response = http.postJson(PATH + "?type=company&id=co-1", body);

        assertOneCallbackRecorded(response, body, "company", "co-1", "errored", null, errorCode);
        assertThat(db.snapshot().get("companies")).isEqualTo(companies);
        assertThat(db.count("enrichment_jobs")).isZero();
    }

    @Test
    void aRepeatedNoMatchIsRecordedOnceAndANewResultAfterItAgain() {
        String noMatch = "{\"status\":\"succeeded\",\"result\":[]}";
        for (int i = 0; i < 3; i++) {
            assertThat(http.postJson(PATH + "?type=person&id=p-1", noMatch).statusCode()).isEqualTo(200);
        }
        assertThat(http.postJson(PATH + "?type=person&id=p-1", ADA).statusCode()).isEqualTo(200);
        assertThat(http.postJson(PATH + "?type=person&id=p-1", noMatch).statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForList("select outcome from resolve_callbacks order by received_at", String.class))
                .containsExactly("no_match", "resolved", "no_match");
    }

    @Test
    void aNoMatchOrErrorForAnUnknownEntityIs404AndWritesNothing() {
        assertRejected(PATH + "?type=person&id=nope", "{\"success\":true,\"data\":null}", 404);
        assertRejected(PATH + "?type=company&id=p-1", "{\"status\":\"errored\",\"errorCode\":\"X\"}", 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "?id=co-1",
            "?type=&id=co-1",
            "?type=organisation&id=co-1",
            "?type=Company&id=co-1",
            "?type=company",
            "?type=company&id=",
            "?type=company&id=%20%20",
            "?type=company&type=person&id=co-1",
            "?type=company&id=co-1&id=co-2"})
    void aBadQueryIs400AndWritesNothing(String query) {
        assertRejected(PATH + query, ADA, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{not json",
            "[]",
            "\"https://www.linkedin.com/in/ada-lovelace\"",
            "{}",
            "{\"data\":null}",
            "{\"data\":{}}",
            "{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}",
            "{\"data\":{\"linkedinUrl\":42}}",
            "{\"data\":{\"linkedinUrl\":[\"https://www.linkedin.com/in/ada-lovelace\"]}}",
            "{\"data\":{\"linkedinUrl\":\"\"}}",
            "{\"data\":{\"linkedinUrl\":\"not a url\"}}",
            "{\"data\":{\"linkedinUrl\":\"ftp://www.linkedin.com/in/ada-lovelace\"}}",
            "{\"data\":{\"linkedinUrl\":\"javascript:alert(1)\"}}",
            "{\"data\":{\"linkedinUrl\":\"https://evil.example/in/ada-lovelace\"}}",
            "{\"data\":{\"linkedinUrl\":\"https://notlinkedin.com/in/ada-lovelace\"}}",
            "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com.evil.example/in/ada\"}}",
            "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com@evil.example/in/ada\"}}",
            "{\"data\":{\"linkedinUrl\":\"https://user@www.linkedin.com/in/ada\"}}",
            "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com:8443/in/ada\"}}",
            "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/\"}}",
            "{\"data\":{\"linkedinUrl\":\"www.linkedin.com/in/ada-lovelace\"}}",
            // Not a Reverse Contact result at all, or one whose URL is not on LinkedIn.
            "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}} {}",
            "{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\",\"email\":\"ada@example.com\"}",
            "{\"status\":\"pending\"}",
            "{\"status\":42,\"result\":[]}",
            "{\"success\":\"yes\",\"data\":null}",
            "{\"success\":true,\"data\":\"https://www.linkedin.com/in/ada-lovelace\"}",
            "{\"status\":\"succeeded\",\"result\":[42]}",
            "{\"status\":\"succeeded\",\"result\":{\"linkedinUrl\":\"https://evil.example/in/ada-lovelace\"}}",
            "{\"success\":true,\"data\":[{\"linkedinUrl\":\"not a url\"},{\"linkedinUrl\":\"https://www.linkedin.com/in/ada\"}]}",
            "{\"success\":true,\"data\":{\"candidates\":[{\"linkedInUrl\":{\"href\":\"https://www.linkedin.com/in/ada\"}}]}}"})
    void aBadBodyIs400AndWritesNothing(String body) {
        assertRejected(PATH + "?type=contact&id=ct-1", body, 400);
    }

    @Test
    void anUnknownEntityIs404AndWritesNothing() {
        assertRejected(PATH + "?type=company&id=nope", ADA, 404);
        assertRejected(PATH + "?type=contact&id=co-1", ADA, 404); // a company's id is no contact's
        assertRejected(PATH + "?type=person&id=ct-1", ADA, 404);
    }

    @Test
    void aWrongContentTypeIs415AndWritesNothing() {
        var before = db.snapshot();
        HttpResponse<String> response = http.post(PATH + "?type=contact&id=ct-1", "text/plain", ADA, Map.of());
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void anOversizedBodyIs413AndWritesNothing() {
        var before = db.snapshot();
        String huge = "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"},\"pad\":\""
                + "x".repeat(1_100_000) + "\"}";
        HttpResponse<String> response = http.postJson(PATH + "?type=contact&id=ct-1", huge);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void onlyPostIsServed() {
        assertThat(http.get(PATH + "?type=contact&id=ct-1").statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(db.count("enrichment_jobs")).isZero();
    }

    /** Answered {"ok":true}, and the one callback recorded is this one, with the body as its payload. */
    private void assertOneCallbackRecorded(HttpResponse<String> response, String body, String entityType, String entityId,
                                           String outcome, String linkedinUrl, String errorCode) throws JsonProcessingException {
        assertThat(response.statusCode()).as(body).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"ok\":true}");
        Map<String, Object> expected = new HashMap<>();
        expected.put("entity_type", entityType);
        expected.put("entity_id", entityId);
        expected.put("outcome", outcome);
        expected.put("linkedin_url", linkedinUrl);
        expected.put("error_code", errorCode);
        expected.put("payload", JSON.readTree(body));
        assertThat(callbacks()).containsExactly(expected);
    }

    /** The recorded callbacks, payloads as JSON trees. */
    private List<Map<String, Object>> callbacks() {
        return jdbc.query("select entity_type, entity_id, outcome, linkedin_url, error_code, payload::text as payload "
                + "from resolve_callbacks order by received_at", (row, i) -> {
                    Map<String, Object> callback = new HashMap<>();
                    for (String column : List.of("entity_type", "entity_id", "outcome", "linkedin_url", "error_code")) {
                        callback.put(column, row.getString(column));
                    }
                    try {
                        callback.put("payload", JSON.readTree(row.getString("payload")));
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                    return callback;
                });
    }

    private void assertRejected(String pathAndQuery, String body, int status) {
        var before = db.snapshot();
        HttpResponse<String> response = http.postJson(pathAndQuery, body);
        assertThat(response.statusCode()).as(pathAndQuery + " " + body).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"error\":");
        assertThat(db.snapshot()).isEqualTo(before);
        assertThat(List.of(response.headers().firstValue("Content-Type").orElse(""))).allMatch(v -> v.startsWith("application/json"));
    }
}
