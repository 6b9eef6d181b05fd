package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.edge.WebhookMetricsTest;
import com.example.crm.webhooks.intake.IntakeSpoolGuard;
import com.example.crm.webhooks.intake.IntakeStatus;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.StoppableDatabase;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The intake spool takes only what it should while the database is down: past its bounds (the whole
 * spool's deliveries and bytes, one client's share) a delivery is a 503 with Retry-After, counted
 * by reason; readiness goes DOWN, with the reason, when the whole spool is at a bound or R2 does not
 * answer and the spool directory's disk is below its free-space margin, and nothing is left behind.
 * Each case has its own PostgreSQL, stopped and started again, and its own spool.
 */
class IntakeSpoolBoundsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

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
    void aSpoolAtItsBoundOfDeliveriesOrBytesRefusesWith503AndIsNotReadyUntilDrained() {
        postgres = StoppableDatabase.start("spool-bounds");
        service = ServiceInstance.start("spool-bounds", postgres.jdbcUrl(), Map.of("reversecontact.api-key", "",
                "intake.max-deliveries", 3, "intake.max-bytes", "200KB",
                "intake.max-deliveries-per-client", 0, "intake.max-bytes-per-client", "0B"));
        service.jdbc().update("insert into people (id, alert_subscription_id) values ('p-1', 'sub-1')");
        TwilioRequests twilio = new TwilioRequests(service.http());

        postgres.stop();
        // About 134 KB spooled (the body in base64); 80 KB more would pass 200 KB.
        assertThat(alert(100_000).statusCode()).isEqualTo(200);
        HttpResponse<String> tooManyBytes = alert(60_000);
        assertThat(tooManyBytes.statusCode()).isEqualTo(503);
        assertThat(tooManyBytes.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(refused("spool_bytes")).isEqualTo(1);
        assertThat(message(twilio, "SMbound1").statusCode()).isEqualTo(200);
        assertThat(message(twilio, "SMbound2").statusCode()).isEqualTo(200);
        assertThat(message(twilio, "SMbound3").statusCode()).as("a fourth delivery").isEqualTo(503);
        assertThat(refused("spool_deliveries")).isEqualTo(1);

        await().atMost(WAIT).until(() -> service.http().get("/readyz").statusCode() == 503);
        assertThat(readiness()).contains("\"intake\":{\"status\":\"DOWN\"")
                .contains("the spool holds 3 deliveries, its bound (INTAKE_SPOOL_MAX_DELIVERIES)");

        postgres.restart();

        await().atMost(WAIT).until(() -> service.http().get("/readyz").statusCode() == 200
                && TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "intake-spool-bounds/").isEmpty());
        assertThat(service.jdbc().queryForList("select twilio_sid from messages order by twilio_sid", String.class))
                .containsExactly("SMbound1", "SMbound2");
        assertThat(service.jdbc().queryForObject("select count(*) from person_change_alerts", Integer.class)).isEqualTo(1);
        assertThat(refused("spool_deliveries")).as("no refusal since").isEqualTo(1);
    }

    @Test
    void oneClientPastItsShareIsRefusedWhileTheSpoolStaysReadyAndTheShareEndsWithTheOutage() {
        postgres = StoppableDatabase.start("spool-client-share");
        service = ServiceInstance.start("spool-client-share", postgres.jdbcUrl(), Map.of("reversecontact.api-key", "",
                "intake.max-deliveries-per-client", 3, "intake.max-bytes-per-client", "64KB"));
        service.jdbc().update("insert into people (id, alert_subscription_id) values ('p-1', 'sub-1')");
        TwilioRequests twilio = new TwilioRequests(service.http());

        postgres.stop();
        assertThat(alert(60_000).statusCode()).as("80 KB spooled would pass the client's 64 KB").isEqualTo(503);
        assertThat(refused("client_bytes")).isEqualTo(1);
        for (String sid : List.of("SMshare1", "SMshare2", "SMshare3")) {
            assertThat(message(twilio, sid).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> pastShare = message(twilio, "SMshare4");
        assertThat(pastShare.statusCode()).isEqualTo(503);
        assertThat(pastShare.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(refused("client_deliveries")).isEqualTo(1);
        assertThat(service.http().get("/readyz").statusCode()).as("ready: the spool takes other clients' deliveries")
                .isEqualTo(200);

        postgres.restart();
        // The database answers again once its circuit's probe found it: until then, queries fail.
        await().atMost(WAIT).ignoreExceptions().until(() -> messages() == 3
                && service.bean(IntakeStatus.class).depth() == 0 && service.bean(IntakeSpoolGuard.class).clients() == 0);

        postgres.stop();
        assertThat(message(twilio, "SMshare5").statusCode()).as("a new outage, a new share").isEqualTo(200);
        postgres.restart();
        await().atMost(WAIT).ignoreExceptions().until(() -> messages() == 4);
        assertThat(service.jdbc().queryForList("select twilio_sid from messages order by twilio_sid", String.class))
                .containsExactly("SMshare1", "SMshare2", "SMshare3", "SMshare5");
    }

    @Test
    void aFullSpoolDiskWithR2DownIs503AndNotReadyAndLeavesNothingBehind() throws Exception {
        postgres = StoppableDatabase.start("spool-disk-full");
        // No disk here has a petabyte free: the directory is below its margin, as a full disk is.
        service = ServiceInstance.start("spool-disk-full", postgres.jdbcUrl(), Map.of("reversecontact.api-key", "",
                "r2.endpoint", "http://127.0.0.1:" + TestInfrastructure.freePort(), "intake.min-free-space", "1000TB"));
        Path spool = service.spoolDirectory();
        // A spool write in progress, or what a crash in the middle of one left (once it is old).
        Path crashed = Files.writeString(spool.resolve(".writing-20261130T000000.000000Z-twilio-inbound-crashed.json"), "{\"for");
        TwilioRequests twilio = new TwilioRequests(service.http());

        postgres.stop();
        HttpResponse<String> answer = message(twilio, "SMdiskFull");

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(refused("disk_full")).isEqualTo(1);
        await().atMost(WAIT).until(() -> service.http().get("/readyz").statusCode() == 503);
        assertThat(readiness()).contains("\"intake\":{\"status\":\"DOWN\"").contains("\"spoolDirectory\":\"disk full\"")
                .contains("R2 does not answer and the spool directory's disk is full");
        try (var files = Files.list(spool)) {
            assertThat(files).as("nothing written, only the crash's leftover").containsExactly(crashed);
        }
        assertThat(service.bean(IntakeStatus.class).depth()).as("a leftover is not a delivery").isZero();

        Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
        postgres.restart();

        // The drain removes what a crash left: a write takes milliseconds, not ten minutes.
        await().atMost(WAIT).until(() -> !Files.exists(crashed));
        try (var files = Files.list(spool)) {
            assertThat(files).isEmpty();
        }
        assertThat(service.jdbc().queryForObject("select count(*) from messages", Integer.class)).isZero();
    }

    private int messages() {
        return service.jdbc().queryForObject("select count(*) from messages", Integer.class);
    }

    private HttpResponse<String> alert(int headlineLength) {
        return service.http().postJson("/api/webhooks/reversecontact",
                "{\"subscriptionId\":\"sub-1\",\"data\":{\"person\":{\"headline\":\"" + "x".repeat(headlineLength) + "\"}}}");
    }

    private static HttpResponse<String> message(TwilioRequests twilio, String sid) {
        return twilio.post(TwilioRequests.INBOUND, TwilioRequests.inboundMessage(sid, "+61412345678", "+61298765432", "bounded"));
    }

    private String readiness() {
        return ManagementClient.operator(service.managementPort()).get("/actuator/health/readiness").body();
    }

    private double refused(String reason) {
        String metrics = ManagementClient.operator(service.managementPort()).get("/actuator/prometheus").body();
        return WebhookMetricsTest.value(metrics, "intake_spool_refused_total", "reason=\"" + reason + "\"");
    }
}
