package com.example.crm.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.support.FaultInjection;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import com.example.crm.webhooks.support.ManagementClient;
import org.junit.jupiter.api.AfterEach;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.junit.jupiter.api.Test;

/**
 * Whoever can write to the bucket or the spool directory cannot make the service apply a webhook:
 * documents shaped exactly like spooled deliveries, one without a MAC and one with a MAC under
 * another key, in R2 and in the directory, and one that is no delivery at all, are never applied;
 * each is set aside as a refused delivery saying it failed its MAC, and leaves the spool. Replayed
 * by an operator, they go through their webhook's checks and stay refused (their signature is
 * bogus). A delivery the service spooled itself still drains, once.
 */
class SpoolForgeryTest extends WebhookServiceTest {

    private static final String PREFIX = "intake/";
    private final ObjectMapper json = new ObjectMapper();
    private final IntakeSpool someoneElsesSpool = new IntakeSpool(json, PREFIX,
            SpoolDocumentMac.withKey("a-key-the-service-does-not-hold-32-characters"));

    private FaultInjection store;
    @LocalServerPort
    private int managementPort;

    @AfterEach
    void disarm() {
        if (store != null) {
            store.disarm();
        }
    }

    @Test
    void handWrittenDocumentsInR2AndTheDirectoryAreSetAsideAndNeverApplied() throws Exception {
        SpooledDelivery withoutMac = inboundMessage("SMforgedNoMac");
        ObjectNode unsigned = (ObjectNode) json.readTree(someoneElsesSpool.document(withoutMac));
        unsigned.remove(IntakeSpool.MAC_FIELD);
        TestInfrastructure.s3().put(TestInfrastructure.BUCKET, someoneElsesSpool.key(withoutMac), json.writeValueAsBytes(unsigned));
        SpooledDelivery underAnotherKey = inboundMessage("SMforgedOtherKey");
        // Whole when the drain sees it, as a forger's copy would be.
        Path written = Files.write(TestInfrastructure.intakeSpool().resolve(underAnotherKey.id() + ".tmp"),
                someoneElsesSpool.document(underAnotherKey));
        Files.move(written, written.resolveSibling(underAnotherKey.fileName()), StandardCopyOption.ATOMIC_MOVE);

        TestInfrastructure.s3().put(TestInfrastructure.BUCKET, PREFIX + "20261207T000000.000000Z-twilio-inbound-garbage.json",
                "not a spooled delivery".getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(jdbc.queryForList("select id from refused_deliveries", String.class)).hasSize(3);
            assertThat(TestInfrastructure.sharedIntakeSpoolIsEmpty()).isTrue();
        });
        assertThat(jdbc.queryForList("select webhook || ' ' || reason || ' ' || status || ' ' || authenticated || ' ' || message"
                + " from refused_deliveries order by webhook", String.class)).containsExactly(
                "intake spool_mac 403 false failed its MAC: not a delivery this service spooled",
                "twilio-inbound spool_mac 403 false failed its MAC: not a delivery this service spooled",
                "twilio-inbound spool_mac 403 false failed its MAC: not a delivery this service spooled");
        assertThat(db.count("dead_letters")).isZero();
        assertThat(db.count("messages")).isZero();
        assertThat(jdbc.queryForObject("select count(*) from intake_ledger where route_id = 'twilio-inbound'", Integer.class))
                .isZero();
        // Drained again, nothing changes: they are gone from the spool, and kept once.
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, PREFIX)).isEmpty();
        try (var files = Files.list(TestInfrastructure.intakeSpool())) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).isEmpty();
        }

        // An operator replays them: each goes through its webhook's checks, and the bogus signatures stay refused.
        ManagementClient operator = ManagementClient.operator(managementPort);
        var replay = operator.postJson("/actuator/refused/replay", "{\"reason\": \"spool_mac\"}");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(jdbc.queryForList("select outcome from refused_deliveries where webhook = 'twilio-inbound'", String.class))
                .hasSize(2).allSatisfy(outcome -> assertThat(outcome).isNotEqualTo("applied").isNotNull());
        assertThat(db.count("messages")).isZero();
    }

    @Test
    void aDeliveryTheServiceSpooledItselfStillDrainsOnce() {
        store = FaultInjection.before(camelContext, "store-twilio-inbound-message", "to-postgres-insert-inbound-message");
        store.failNext(1, SpooledDeadLetterTest.databaseDown());

        var answer = new TwilioRequests(http).post(TwilioRequests.INBOUND,
                TwilioRequests.inboundMessage("SMgenuine", "+61412345678", "+61298765432", "spooled, then applied"));

        assertThat(answer.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> db.count("messages") == 1
                && TestInfrastructure.sharedIntakeSpoolIsEmpty());
        assertThat(jdbc.queryForObject("select twilio_sid from messages", String.class)).isEqualTo("SMgenuine");
        assertThat(jdbc.queryForObject("select count(*) from intake_ledger where route_id = 'twilio-inbound'", Integer.class))
                .isEqualTo(1);
        assertThat(db.count("dead_letters")).isZero();
    }

    /** A Twilio inbound message as the service spools one: what a forger with access to the bucket would copy. */
    private static SpooledDelivery inboundMessage(String sid) {
        byte[] body = WebhookClient.formEncode(TwilioRequests.inboundMessage(sid, "+61412345678", "+61298765432", "forged"))
                .getBytes(StandardCharsets.UTF_8);
        WebhookDelivery delivery = new WebhookDelivery("twilio-inbound", TwilioRequests.INBOUND,
                Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Twilio-Signature", "Ym9ndXMgc2lnbmF0dXJl"),
                body, Instant.now());
        return new SpooledDelivery(UUID.randomUUID().toString(), delivery);
    }
}
