package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Reverse Contact really answers besides a profile (../shared/spec/providers.md): a 404 means
 * no profile was found (no credit spent), so the job is done, "not found", not a dead letter; the
 * {@code error} of an error answer can be an object {@code {message, code}}, whose message is kept.
 * (A 401, 402 or 403 pauses enrichment: EnrichmentPauseOnRefusalTest.)
 */
class ReverseContactAnswersTest extends WebhookServiceTest {

    private static final String ADA_URL = "https://www.linkedin.com/in/ada-lovelace";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final WireMockServer thirdParties = TestInfrastructure.thirdParties();

    @BeforeEach
    void aPersonToEnrich() {
        jdbc.update("insert into people (id, linkedin_url) values ('p-1', ?)", ADA_URL);
    }

    @Test
    void a404FinishesTheJobAsNotFound() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"success\":false,\"error\":{\"message\":\"No profile found for this URL\",\"code\":\"not_found\"}}")));

        queueJob();

        await().atMost(WAIT).until(() -> !"running".equals(state()) && !"pending".equals(state()));
        assertThat(jdbc.queryForMap("select state, outcome, attempts, last_error from enrichment_jobs"))
                .containsEntry("state", "done")
                .containsEntry("outcome", "not_found")
                .containsEntry("attempts", 1)
                .hasEntrySatisfying("last_error", error -> assertThat((String) error)
                        .startsWith("not found: ").contains("No profile found for this URL"));
        assertThat(db.count("dead_letters")).isZero();
        assertThat(jdbc.queryForMap("select headline, enriched_at from people"))
                .containsEntry("headline", null).containsEntry("enriched_at", null);
        thirdParties.verify(1, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
    }

    @Test
    void theMessageOfAnObjectShapedErrorIsKept() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson(
                "{\"success\":false,\"error\":{\"message\":\"This profile is private\",\"code\":\"private_profile\"}}")));

        queueJob();

        await().atMost(WAIT).until(() -> db.count("dead_letters") == 1);
        assertThat(jdbc.queryForObject("select error from dead_letters", String.class))
                .contains("This profile is private (private_profile)");
        assertThat(jdbc.queryForObject("select last_error from enrichment_jobs", String.class))
                .contains("This profile is private (private_profile)");
    }

    @Test
    void theMessageOfAnObjectShapedErrorOfAClientErrorIsKept() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(aResponse().withStatus(422)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"success\":false,\"error\":{\"message\":\"Not a LinkedIn profile URL\",\"code\":\"invalid_url\"}}")));

        queueJob();

        await().atMost(WAIT).until(() -> db.count("dead_letters") == 1);
        assertThat(jdbc.queryForObject("select error from dead_letters", String.class))
                .startsWith("HTTP 422 from ").endsWith("/v2/fetch/persons: Not a LinkedIn profile URL (invalid_url)");
    }

    private String state() {
        return jdbc.queryForObject("select state from enrichment_jobs", String.class);
    }

    private void queueJob() {
        jdbc.update("insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('person', 'p-1', ?)", ADA_URL);
    }
}
