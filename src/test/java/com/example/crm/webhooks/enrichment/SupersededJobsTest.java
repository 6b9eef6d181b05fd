package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A job for a LinkedIn URL its entity no longer has would pay Reverse Contact for a stale profile:
 * it finishes as superseded without calling. An entity has at most one open job, for its newest
 * URL: a newer resolve callback re-points the open job, even one already running, whose late
 * answers then change nothing.
 */
class SupersededJobsTest extends WebhookServiceTest {

    private static final String RESOLVE = "/api/webhooks/reversecontact/resolve";
    private static final String OLD_URL = "https://www.linkedin.com/in/ada-byron";
    private static final String NEW_URL = "https://www.linkedin.com/in/ada-lovelace";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final WireMockServer thirdParties = TestInfrastructure.thirdParties();

    @Test
    void aJobForAUrlTheEntityNoLongerHasMakesNoCall() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson(
                "{\"success\":true,\"data\":{\"headline\":\"Stale profile\"}}")));
        jdbc.update("insert into people (id, linkedin_url) values ('p-1', ?), ('p-gone-url', null)", NEW_URL);
        jdbc.update("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values
                  ('person', 'p-1', ?), ('person', 'p-gone-url', ?), ('person', 'no-such-person', ?)""",
                OLD_URL, OLD_URL, OLD_URL);

        await().atMost(WAIT).until(() -> jdbc.queryForObject(
                "select count(*) from enrichment_jobs where state in ('pending', 'running')", Integer.class) == 0);
        thirdParties.verify(0, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
        assertThat(jdbc.queryForList("select state || '/' || outcome from enrichment_jobs", String.class))
                .containsExactly("done/superseded", "done/superseded", "done/superseded");
        assertThat(jdbc.queryForList("select last_error from enrichment_jobs", String.class))
                .allSatisfy(reason -> assertThat(reason).startsWith("superseded: "));
        assertThat(jdbc.queryForList("select headline from people", String.class)).containsOnlyNulls();
        assertThat(db.count("dead_letters")).isZero();
    }

    @Test
    void aNewerUrlWhileTheJobRunsTakesItOverAndTheOldAnswerChangesNothing() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).withRequestBody(equalToJson("{\"url\":\"" + OLD_URL + "\"}"))
                .willReturn(okJson("{\"success\":true,\"data\":{\"headline\":\"Old profile\",\"firstName\":\"Augusta\"}}")
                        .withFixedDelay(1500)));
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).withRequestBody(equalToJson("{\"url\":\"" + NEW_URL + "\"}"))
                .willReturn(okJson("{\"success\":true,\"data\":{\"headline\":\"New profile\"}}")));
        jdbc.update("insert into people (id) values ('p-1')");

        resolve(OLD_URL);
        await().atMost(WAIT).until(() -> fetchesOf(OLD_URL) == 1);
        resolve(NEW_URL);

        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs", Integer.class)).as("one job per entity").isEqualTo(1);
        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class))
                && camelContext.getInflightRepository().size("enrich-job") == 0);
        assertThat(jdbc.queryForMap("select linkedin_url, outcome, attempts from enrichment_jobs"))
                .containsEntry("linkedin_url", NEW_URL).containsEntry("outcome", "enriched").containsEntry("attempts", 1);
        assertThat(jdbc.queryForMap("select linkedin_url, headline, first_name from people"))
                .containsEntry("linkedin_url", NEW_URL).containsEntry("headline", "New profile").containsEntry("first_name", null);
        assertThat(fetchesOf(NEW_URL)).isEqualTo(1);
        assertThat(db.count("dead_letters")).isZero();
    }

    private void resolve(String linkedinUrl) {
        assertThat(http.postJson(RESOLVE + "?type=person&id=p-1", "{\"data\":{\"linkedinUrl\":\"" + linkedinUrl + "\"}}")
                .statusCode()).isEqualTo(200);
    }

    private int fetchesOf(String linkedinUrl) {
        return thirdParties.findAll(postRequestedFor(urlEqualTo("/v2/fetch/persons"))
                .withRequestBody(equalToJson("{\"url\":\"" + linkedinUrl + "\"}"))).size();
    }
}
