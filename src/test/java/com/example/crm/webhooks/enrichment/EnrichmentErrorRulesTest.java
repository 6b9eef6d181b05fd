package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.FaultInjection;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * How the enrichment route's error handling (routes/enrichment-errors.camel.yaml) takes
 * R2's answers to an upload, which s3proxy cannot be made to give: the upload step itself fails,
 * through AdviceWith (support.FaultInjection). A 503 is redelivered at once, and when it lasts the
 * job waits in the queue; a 403 (a configuration error) dead-letters the job.
 */
class EnrichmentErrorRulesTest extends WebhookServiceTest {

    private static final String ADA_URL = "https://www.linkedin.com/in/ada-lovelace";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final WireMockServer thirdParties = TestInfrastructure.thirdParties();
    private FaultInjection upload;

    @BeforeEach
    void aContactWithAPicture() {
        upload = FaultInjection.before(camelContext, "copy-enrichment-picture", "to-r2-upload-picture");
        thirdParties.stubFor(get(urlPathEqualTo("/cdn/ada.png")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/png").withBody(EnrichmentPipelineTest.image("ada-lovelace.png"))));
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson(
                "{\"success\":true,\"data\":{\"headline\":\"Mathematician\",\"photoUrl\":\"http://127.0.0.1:"
                        + thirdParties.port() + "/cdn/ada.png\"}}")));
        jdbc.update("insert into contacts (id, linkedin_url) values ('ct-1', ?)", ADA_URL);
    }

    @AfterEach
    void disarm() {
        upload.disarm();
    }

    @Test
    void aBriefR2OutageIsRedeliveredWithinTheAttempt() {
        upload.failNext(1, S3Exception.builder().statusCode(503).message("slow down").build());

        queueJob();

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForMap("select attempts, last_error from enrichment_jobs"))
                .containsEntry("attempts", 1).containsEntry("last_error", null);
        assertThat(jdbc.queryForObject("select profile_picture_key from contacts", String.class)).isEqualTo("contacts/ct-1/avatar.png");
    }

    @Test
    void anR2OutageThatLastsWaitsInTheQueue() {
        upload.failAlways(S3Exception.builder().statusCode(500).message("internal error").build());

        queueJob();

        await().atMost(WAIT).until(() -> jdbc.queryForObject(
                "select coalesce(last_error like 'S3Exception%', false) and state = 'pending' from enrichment_jobs", Boolean.class));
        assertThat(db.count("dead_letters")).isZero();
        assertThat(jdbc.queryForObject("select headline from contacts", String.class)).isEqualTo("Mathematician");

        upload.disarm();
        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForObject("select profile_picture_key from contacts", String.class)).isEqualTo("contacts/ct-1/avatar.png");
    }

    @Test
    void anR2RefusalIsDeadLetteredAtOnce() {
        upload.failAlways(S3Exception.builder().statusCode(403).message("access denied").build());

        String jobId = queueJob();

        await().atMost(WAIT).until(() -> db.count("dead_letters") == 1);
        assertThat(jdbc.queryForMap("select state, attempts from enrichment_jobs")).isEqualTo(Map.of("state", "dead", "attempts", 1));
        assertThat(jdbc.queryForMap("select job_id, error from dead_letters"))
                .containsEntry("job_id", jobId)
                .hasEntrySatisfying("error", error -> assertThat((String) error).startsWith("S3Exception: access denied"));
    }

    private String queueJob() {
        return jdbc.queryForObject("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('contact', 'ct-1', ?)
                returning id""", String.class, ADA_URL);
    }
}
