package com.example.crm.webhooks.resilience;

import static com.example.crm.webhooks.resilience.Faults.linkedinUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.enrichment.EnrichmentSettings;
import com.example.crm.webhooks.operations.DeadLetterReplay;
import com.example.crm.webhooks.support.S3CompatibleServer;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * R2 unreachable (nothing listens at its endpoint): the enrichment job saves the profile, fails
 * on the upload, is retried with backoff up to its last attempt and dead-lettered; nothing is lost
 * (the profile is kept, the dead letter holds the job). Once R2 answers again, replaying the dead
 * letter completes the job and the picture is in the bucket. R2 answering 503: the job is retried
 * until an upload lands. Each case has a service instance of its own, on a database of its own, so
 * R2 can misbehave for it alone.
 */
class R2OutageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private ServiceInstance service;
    private S3CompatibleServer r2;
    private Path r2Directory;

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (r2 != null) {
            r2.stop();
        }
        if (r2Directory != null) {
            FileSystemUtils.deleteRecursively(r2Directory);
        }
    }

    @Test
    void jobsAreRetriedThenDeadLetteredAndTheReplayCompletesThemOnceR2IsBack() throws Exception {
        Faults.thirdParties().resetAll();
        int r2Port = TestInfrastructure.freePort();
        // The instance starts while R2 is down, as it must: the webhooks do not need R2.
        service = ServiceInstance.start("r2-outage", TestInfrastructure.newDatabase("r2_outage"),
                Map.of("r2.endpoint", "http://127.0.0.1:" + r2Port));
        JdbcTemplate jdbc = service.jdbc();
        byte[] picture = Faults.png();
        String url = linkedinUrl("r2-outage-ada");
        Faults.stubPicture("/cdn/r2-outage-ada.png", picture);
        Faults.stubProfile(url, "Mathematician", "/cdn/r2-outage-ada.png", 0);
        jdbc.update("insert into contacts (id) values ('ct-r2')");

        assertThat(service.http().postJson(Faults.RESOLVE + "?type=contact&id=ct-r2", Faults.resolveBody(url)).statusCode())
                .isEqualTo(200);

        await().atMost(WAIT).until(() -> "dead".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        int maxAttempts = service.bean(EnrichmentSettings.class).maxAttempts();
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(maxAttempts);
        // Every attempt fetched the profile again and failed at the upload: at least once, never a lost job.
        Faults.thirdParties().verify(maxAttempts, postRequestedFor(urlEqualTo(Faults.FETCH_PERSONS)));
        Map<String, Object> letter = jdbc.queryForMap("select id, job_id, error, replayed_at from dead_letters");
        assertThat(letter.get("job_id")).isEqualTo(jdbc.queryForObject("select id from enrichment_jobs", String.class));
        assertThat((String) letter.get("error")).contains("aws2-s3://").contains("Connection refused");
        // The profile is saved; only the picture is missing.
        assertThat(jdbc.queryForMap("select headline, profile_picture_key from contacts"))
                .containsEntry("headline", "Mathematician").containsEntry("profile_picture_key", null);

        r2Directory = Files.createTempDirectory("r2-outage");
        r2 = S3CompatibleServer.onDisk(r2Directory, r2Port);
        r2.createBucket(TestInfrastructure.BUCKET);
        String letterId = (String) letter.get("id");
        assertThat(service.bean(DeadLetterReplay.class).replay(letterId)).containsExactly(letterId);

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(1);
        assertThat(jdbc.queryForMap("select headline, profile_picture_key from contacts"))
                .containsEntry("headline", "Mathematician").containsEntry("profile_picture_key", "contacts/ct-r2/avatar.png");
        assertThat(r2.keys(TestInfrastructure.BUCKET, "")).containsExactly("contacts/ct-r2/avatar.png");
        assertThat(r2.object(TestInfrastructure.BUCKET, "contacts/ct-r2/avatar.png")).isEqualTo(picture);
        assertThat(jdbc.queryForObject("select count(*) from dead_letters where replayed_at is null", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs", Integer.class)).isEqualTo(1);
    }

    @Test
    void r2AnsweringServerErrorsIsRetriedUntilAnUploadLands() throws Exception {
        Faults.thirdParties().resetAll();
        // R2 behind a front that answers 503 to uploads until the test lets them through to s3proxy
        // (the Host header is kept, so the AWS signatures still match).
        WireMockServer front = new WireMockServer(WireMockConfiguration.options().dynamicPort()
                .bindAddress("127.0.0.1").preserveHostHeader(true));
        front.start();
        try {
            front.stubFor(any(anyUrl()).atPriority(10)
                    .willReturn(aResponse().proxiedFrom(TestInfrastructure.s3().endpoint())));
            StubMapping unavailable = front.stubFor(put(urlPathMatching("/" + TestInfrastructure.BUCKET + "/contacts/.*"))
                    .atPriority(1).willReturn(aResponse().withStatus(503).withHeader("Content-Type", "application/xml")
                            .withBody("<Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error>")));
            service = ServiceInstance.start("r2-server-errors", TestInfrastructure.newDatabase("r2_server_errors"),
                    Map.of("r2.endpoint", front.baseUrl().replace("localhost", "127.0.0.1")));
            JdbcTemplate jdbc = service.jdbc();
            byte[] picture = Faults.png();
            String url = linkedinUrl("r2-503-ada");
            Faults.stubPicture("/cdn/r2-503-ada.png", picture);
            Faults.stubProfile(url, "Mathematician", "/cdn/r2-503-ada.png", 0);
            jdbc.update("insert into contacts (id) values ('ct-r2-503')");

            assertThat(service.http().postJson(Faults.RESOLVE + "?type=contact&id=ct-r2-503", Faults.resolveBody(url))
                    .statusCode()).isEqualTo(200);

            // Retried by the route, not only inside the AWS SDK: the job came back for a second attempt.
            await().atMost(WAIT).until(() -> jdbc.queryForObject(
                    "select attempts >= 2 and last_error like '%503%' from enrichment_jobs", Boolean.class));
            front.removeStub(unavailable);

            await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
            assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
            assertThat(jdbc.queryForObject("select profile_picture_key from contacts", String.class))
                    .isEqualTo("contacts/ct-r2-503/avatar.png");
            assertThat(TestInfrastructure.s3().object(TestInfrastructure.BUCKET, "contacts/ct-r2-503/avatar.png")).isEqualTo(picture);
        } finally {
            front.stop();
        }
    }
}
