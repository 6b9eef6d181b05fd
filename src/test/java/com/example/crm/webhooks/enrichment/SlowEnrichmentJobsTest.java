package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A slow job holds one worker, and nothing else: not the other jobs of its batch, not the next
 * poll. And a job whose lease was taken over (its instance presumed dead) writes nothing more,
 * however late its answers come. The slow job here copies a picture that drips in a chunk at a
 * time: every read arrives within ENRICHMENT_IMAGE_TIMEOUT, the whole download takes seconds.
 */
class SlowEnrichmentJobsTest extends WebhookServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DRIP = "/cdn/drip.png";
    private static final int DRIP_MILLIS = 10_000;

    private final WireMockServer thirdParties = TestInfrastructure.thirdParties();

    @Test
    void aDrippingPictureHoldsUpNeitherTheOtherJobsOfItsBatchNorTheNextPoll() {
        thirdParties.stubFor(get(urlPathEqualTo(DRIP)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/png").withBody(EnrichmentPipelineTest.image("ada-lovelace.png"))
                .withChunkedDribbleDelay(20, DRIP_MILLIS)));
        // A batch: four jobs that keep every worker busy for a moment, then the slow one, then three more.
        for (int n = 1; n <= 8; n++) {
            String picture = n == 5 ? ",\"photoUrl\":\"http://127.0.0.1:" + thirdParties.port() + DRIP + "\"" : "";
            thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).withRequestBody(equalToJson("{\"url\":\"" + url(n) + "\"}"))
                    .willReturn(okJson("{\"success\":true,\"data\":{\"headline\":\"Headline " + n + "\"" + picture + "}}")
                            .withFixedDelay(n <= 4 ? 500 : 0)));
            queueJob("ct-" + n, url(n), n);
        }

        await().atMost(WAIT).until(() -> thirdParties.findAll(getRequestedFor(urlEqualTo(DRIP))).size() == 1);
        // Queued once the slow job is under way: a later poll must take it.
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).withRequestBody(equalToJson("{\"url\":\"" + url(9) + "\"}"))
                .willReturn(okJson("{\"success\":true,\"data\":{\"headline\":\"Headline 9\"}}")));
        queueJob("ct-9", url(9), 0);

        await().atMost(WAIT).until(() -> jdbc.queryForObject(
                "select count(*) from enrichment_jobs where state = 'done' and entity_id <> 'ct-5'", Integer.class) == 8);
        assertThat(jdbc.queryForObject("select state from enrichment_jobs where entity_id = 'ct-5'", String.class))
                .as("the slow job, still downloading its picture").isEqualTo("running");
        assertThat(jdbc.queryForList("select headline from contacts where id <> 'ct-5' order by id", String.class))
                .containsExactly("Headline 1", "Headline 2", "Headline 3", "Headline 4", "Headline 6", "Headline 7",
                        "Headline 8", "Headline 9");

        // The drip, shorter than the download deadline, ends: its picture is kept.
        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject(
                "select state from enrichment_jobs where entity_id = 'ct-5'", String.class)));
        assertThat(jdbc.queryForObject("select profile_picture_key from contacts where id = 'ct-5'", String.class))
                .isEqualTo("contacts/ct-5/avatar.png");
    }

    @Test
    void aJobWhoseLeaseWasTakenOverWritesNothing() {
        thirdParties.stubFor(get(urlPathEqualTo("/cdn/late.png")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/png").withBody(EnrichmentPipelineTest.image("ada-lovelace.png"))));
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson(
                "{\"success\":true,\"data\":{\"headline\":\"Too late\",\"photoUrl\":\"http://127.0.0.1:"
                        + thirdParties.port() + "/cdn/late.png\"}}").withFixedDelay(1500)));
        // An id of its own: the S3 server is shared by every test, and keeps what they upload.
        queueJob("ct-lease-lost", url(1), 0);

        await().atMost(WAIT).until(() -> thirdParties.findAll(postRequestedFor(urlEqualTo("/v2/fetch/persons"))).size() == 1);
        // Another instance takes the job over, as after this one's lease ran out.
        jdbc.update("update enrichment_jobs set lease_owner = 'another-instance', lease_until = now() + interval '1 hour'");

        await().atMost(WAIT).until(() -> camelContext.getInflightRepository().size("enrich-job") == 0);
        assertThat(jdbc.queryForMap("select headline, profile_picture_key, enriched_at from contacts"))
                .containsEntry("headline", null).containsEntry("profile_picture_key", null).containsEntry("enriched_at", null);
        assertThat(jdbc.queryForMap("select state, lease_owner from enrichment_jobs"))
                .containsEntry("state", "running").containsEntry("lease_owner", "another-instance");
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "contacts/ct-lease-lost/")).isEmpty();
    }

    private static String url(int n) {
        return "https://www.linkedin.com/in/slow-" + n;
    }

    /** A contact and its job; the claim takes jobs by due time, so in {@code order}. */
    private void queueJob(String id, String linkedinUrl, int order) {
        jdbc.update("insert into contacts (id, linkedin_url) values (?, ?)", id, linkedinUrl);
        jdbc.update("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url, next_attempt_at)
                values ('contact', ?, ?, now() - make_interval(secs => ?))""", id, linkedinUrl, 100 - order);
    }
}
