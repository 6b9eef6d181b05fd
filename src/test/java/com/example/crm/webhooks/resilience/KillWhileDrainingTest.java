package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.intake.IntakeSpool;
import com.example.crm.webhooks.intake.SpoolDocumentMac;
import com.example.crm.webhooks.intake.SpooledDelivery;
import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures;
import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.StoredAlert;
import com.example.crm.webhooks.support.ChildJvm;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.ServiceProcess;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The service killed with SIGKILL while it drains the intake spool, then started again: every
 * spooled delivery is applied exactly once (one ledger row, one message row, a person's alerts
 * each once, chained in receive order), none is lost, and the spool ends empty. The spool is
 * filled beforehand with documents as the service writes them; the draining service runs as a JVM
 * of its own (log: target/kill-while-draining-child.log), its successor in this JVM.
 */
class KillWhileDrainingTest {

    private static final int MESSAGES = 300;
    private static final int ALERTS = 60;
    private static final String PREFIX = "intake-kill-while-draining/";
    /** The key the test spools under, as the service would: the service drains only documents whose MAC it verifies. */
    private static final String SPOOL_KEY = "kill-while-draining-spool-key-of-32-characters-or-more";
    private static final Map<String, Object> SETTINGS = Map.of(
            "intake.r2-prefix", PREFIX, "intake.drain-interval", "100ms", "reversecontact.api-key", "",
            "intake.spool-key", SPOOL_KEY);

    private Process child;
    private ServiceInstance restarted;
    private SingleConnectionDataSource dataSource;

    @AfterEach
    void stop() throws InterruptedException {
        ChildJvm.stop(child, 10);
        if (restarted != null) {
            restarted.close();
        }
        if (dataSource != null) {
            dataSource.destroy();
        }
    }

    @Test
    void aSigkillMidDrainLosesNothingAndDoublesNothing() throws Exception {
        String jdbcUrl = TestInfrastructure.newMigratedDatabase("kill_while_draining");
        dataSource = new SingleConnectionDataSource(jdbcUrl, "postgres", "", true);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("insert into people (id, alert_subscription_id) values ('p-kill', 'sub-kill')");
        TestInfrastructure.s3().deleteAll(TestInfrastructure.BUCKET, PREFIX);
        spool(MESSAGES, ALERTS);

        child = ServiceProcess.start("kill-while-draining", jdbcUrl, SETTINGS);
        await("part of the spool applied").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                .until(() -> applied(jdbc) > 20);
        child.destroyForcibly(); // SIGKILL on Linux
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int appliedAtKill = applied(jdbc);
        assertThat(appliedAtKill).as("killed mid-drain").isLessThan(MESSAGES + ALERTS);

        restarted = ServiceInstance.start("kill-while-draining-restarted", jdbcUrl, SETTINGS);

        await("the rest applied").atMost(Duration.ofSeconds(60))
                .until(() -> TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, PREFIX).isEmpty());
        assertThat(applied(jdbc)).isEqualTo(MESSAGES + ALERTS);
        assertThat(jdbc.queryForObject("select count(*) from messages", Integer.class)).isEqualTo(MESSAGES);
        assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        List<StoredAlert> alerts = new ProfileAlertFixtures(jdbc).alertsOf("p-kill");
        assertThat(alerts).extracting(alert -> alert.payload().path("data").path("person").path("headline").asText())
                .containsExactlyElementsOf(IntStream.range(0, ALERTS).mapToObj(n -> "Version " + n).toList());
        assertThat(new ProfileAlertFixtures(jdbc).snapshotOf("p-kill")).isEqualTo(ProfileAlertFixtures.replayChain(alerts));
    }

    /** Deliveries in R2 as the service spools them: messages and one person's alerts, a millisecond apart. */
    private static void spool(int messages, int alerts) throws Exception {
        IntakeSpool spool = new IntakeSpool(new ObjectMapper(), PREFIX, SpoolDocumentMac.withKey(SPOOL_KEY));
        Instant receivedAt = Instant.parse("2026-11-30T05:00:00Z");
        for (int n = 0; n < messages + alerts; n++) {
            WebhookDelivery delivery = n < messages
                    ? new WebhookDelivery("twilio-inbound", TwilioRequests.INBOUND,
                            Map.of("Content-Type", "application/x-www-form-urlencoded"),
                            WebhookClient.formEncode(TwilioRequests.inboundMessage("SMkill" + n, "+61412345678",
                                    "+61298765432", "spooled " + n)).getBytes(StandardCharsets.UTF_8),
                            receivedAt.plusMillis(n))
                    : new WebhookDelivery("reversecontact-alert", "/api/webhooks/reversecontact",
                            Map.of("Content-Type", "application/json"),
                            ("{\"subscriptionId\":\"sub-kill\",\"data\":{\"person\":{\"headline\":\"Version " + (n - messages)
                                    + "\"}}}").getBytes(StandardCharsets.UTF_8),
                            receivedAt.plusMillis(n));
            SpooledDelivery spooled = new SpooledDelivery(UUID.randomUUID().toString(), delivery);
            TestInfrastructure.s3().put(TestInfrastructure.BUCKET, spool.key(spooled), spool.document(spooled));
        }
    }

    private static int applied(JdbcTemplate jdbc) {
        return jdbc.queryForObject("select count(*) from intake_ledger", Integer.class);
    }
}
