package com.example.crm.webhooks.refused;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.StoppableDatabase;
import com.example.crm.webhooks.support.TwilioRequests;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A delivery refused while the database is down is answered as always and kept in the intake spool,
 * marked as refused; once the database answers again the drain records it as a refused delivery and
 * never applies it.
 */
class RefusedWhileDatabaseDownTest {

    private StoppableDatabase postgres;
    private ServiceInstance instance;

    @AfterEach
    void stop() {
        if (instance != null) {
            instance.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aRefusedDeliveryIsSpooledWhileTheDatabaseIsDownAndRecordedNotAppliedWhenItReturns() {
        postgres = StoppableDatabase.start("refused-outage");
        instance = ServiceInstance.start("refused-outage", postgres.jdbcUrl(), Map.of("reversecontact.api-key", ""));
        TwilioRequests twilio = new TwilioRequests(instance.http());
        MeterRegistry meters = instance.bean(MeterRegistry.class);

        postgres.stop();
        Map<String, String> form = TwilioRequests.inboundMessage("SMoutage1", "+61412345678", "+61298765432", "hi");
        assertThat(twilio.postWithSignature(TwilioRequests.INBOUND, form, "Zm9yZ2VkIHNpZ25hdHVyZSE=").statusCode()).isEqualTo(403);
        assertThat(meters.get("intake.spooled").tags("endpoint", "twilio-inbound").counters().stream()
                .mapToDouble(counter -> counter.count()).sum()).as("spooled").isEqualTo(1);

        postgres.restart();
        await("the refused delivery recorded from the spool").atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(instance.jdbc().queryForList("select webhook, status, reason, authenticated from refused_deliveries"))
                        .containsExactly(Map.of("webhook", "twilio-inbound", "status", 403, "reason", "signature",
                                "authenticated", false)));
        assertThat(instance.jdbc().queryForObject("select count(*) from messages", Integer.class)).isZero();
        assertThat(instance.jdbc().queryForObject("select count(*) from intake_ledger", Integer.class)).isZero();
        assertThat(instance.jdbc().queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
    }
}
