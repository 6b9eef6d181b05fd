package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST /api/webhooks/reversecontact/resolve: the URL is saved and one job queued, answered after
 * the commit; every bad request is refused without a write. Enrichment is paused (no API key) so
 * the queued jobs stay as the callback left them.
 */
class ResolveCallbackTest extends WebhookServiceTest {

    private static final String PATH = "/api/webhooks/reversecontact/resolve";
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
    }

    @Test
    void aRepeatedCallbackAfterTheJobFinishedQueuesANewOne() {
        http.postJson(PATH + "?type=contact&id=ct-1", ADA);
        jdbc.update("update enrichment_jobs set state = 'done'");

        assertThat(http.postJson(PATH + "?type=contact&id=ct-1", ADA).statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForList("select state from enrichment_jobs order by state", String.class))
                .containsExactly("done", "pending");
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
            "{\"data\":{\"linkedinUrl\":\"www.linkedin.com/in/ada-lovelace\"}}"})
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

    private void assertRejected(String pathAndQuery, String body, int status) {
        var before = db.snapshot();
        HttpResponse<String> response = http.postJson(pathAndQuery, body);
        assertThat(response.statusCode()).as(pathAndQuery + " " + body).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"error\":");
        assertThat(db.snapshot()).isEqualTo(before);
        assertThat(List.of(response.headers().firstValue("Content-Type").orElse(""))).allMatch(v -> v.startsWith("application/json"));
    }
}
