package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.StoppableDatabase;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;

/**
 * The intake spool's fallback: with PostgreSQL and R2 both down, the spool directory takes the
 * deliveries, and they are applied from it when the database returns; with the directory unusable
 * too, the caller gets 503 with Retry-After and nothing is half-written anywhere. Each case has its
 * own PostgreSQL (stopped and started again) and an R2 endpoint where nothing listens.
 */
class IntakeFallbackTest {

    private StoppableDatabase postgres;
    private ServiceInstance service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void withR2DownTooTheSpoolDirectoryKeepsTheDeliveriesUntilTheDatabaseReturns() throws Exception {
        postgres = StoppableDatabase.start("intake-fallback");
        service = ServiceInstance.start("intake-directory", postgres.jdbcUrl(),
                Map.of("r2.endpoint", "http://127.0.0.1:" + TestInfrastructure.freePort(), "reversecontact.api-key", ""));
        service.jdbc().update("insert into people (id, alert_subscription_id) values ('p-1', 'sub-1')");
        TwilioRequests twilio = new TwilioRequests(service.http());

        postgres.stop();
        List<String> sids = List.of("SMdir1", "SMdir2", "SMdir3");
        for (String sid : sids) {
            HttpResponse<String> answer = twilio.post(TwilioRequests.INBOUND,
                    TwilioRequests.inboundMessage(sid, "+61412345678", "+61298765432", "kept on disk"));
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        assertThat(service.http().postJson("/api/webhooks/reversecontact",
                "{\"subscriptionId\":\"sub-1\",\"data\":{\"person\":{\"headline\":\"On disk\"}}}").statusCode()).isEqualTo(200);
        assertThat(spooledFiles()).hasSize(4);
        assertThat(service.http().get("/readyz").statusCode()).as("ready: the directory takes deliveries").isEqualTo(200);

        postgres.restart();

        await().atMost(Duration.ofSeconds(30)).until(() -> spooledFiles().isEmpty());
        assertThat(service.jdbc().queryForList("select twilio_sid from messages order by twilio_sid", String.class))
                .containsExactlyElementsOf(sids);
        assertThat(service.jdbc().queryForObject("select profile_snapshot->>'headline' from people", String.class))
                .isEqualTo("On disk");
    }

    @Test
    void withNoSpoolEitherItIs503AndNothingIsHalfWritten() throws Exception {
        postgres = StoppableDatabase.start("intake-fallback");
        service = ServiceInstance.start("intake-nowhere", postgres.jdbcUrl(),
                Map.of("r2.endpoint", "http://127.0.0.1:" + TestInfrastructure.freePort(), "reversecontact.api-key", ""));
        // The service started with a writable spool (startup refuses one it cannot write); now a file
        // takes the directory's place, so nothing can be written under it.
        Path notADirectory = service.spoolDirectory();
        FileSystemUtils.deleteRecursively(notADirectory);
        Files.createFile(notADirectory);
        TwilioRequests twilio = new TwilioRequests(service.http());

        postgres.stop();
        HttpResponse<String> answer = twilio.post(TwilioRequests.INBOUND,
                TwilioRequests.inboundMessage("SMnowhere", "+61412345678", "+61298765432", "nowhere to go"));

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(answer.body()).isEqualTo("{\"error\":\"database unavailable, retry later\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> service.http().get("/readyz").statusCode() == 503);
        assertThat(Files.size(notADirectory)).isZero();
        try (var siblings = Files.list(notADirectory.getParent())) {
            assertThat(siblings.map(Path::getFileName).map(Path::toString)).noneMatch(name -> name.contains("SMnowhere"));
        }
        Files.delete(notADirectory);
    }

    private List<Path> spooledFiles() {
        try (var files = Files.list(service.spoolDirectory())) {
            return files.filter(file -> file.toString().endsWith(".json")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
