package com.example.crm.webhooks.refused;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * 5,000 unauthenticated requests in a row (no Twilio signature), each refused and kept: the kept
 * set ends within its bounds (count and bytes, per webhook and reason), what went is counted, and
 * the service answers genuine messages and readiness as usual all along.
 */
class RefusedFloodTest {

    private static final int REFUSED = 5_000;
    private static final int MAX_KEPT = 100;
    private static final int MAX_BYTES = 30_000;

    private ServiceInstance instance;

    @AfterEach
    void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    @Test
    void aFloodOfRefusedRequestsStaysWithinTheBoundsAndTheServiceAnswersThroughout() {
        instance = ServiceInstance.start("refused-flood", TestInfrastructure.newDatabase("refused_flood"), Map.of(
                "reversecontact.api-key", "",
                "refused.max-per-reason", MAX_KEPT,
                "refused.max-bytes-per-reason", MAX_BYTES));
        TwilioRequests twilio = new TwilioRequests(instance.http());
        int genuine = 0;
        for (int n = 0; n < REFUSED; n++) {
            Map<String, String> form = TwilioRequests.inboundMessage("SMflood" + n, "+61412345678", "+61298765432", "flood " + n);
            assertThat(twilio.postWithSignature(TwilioRequests.INBOUND, form, null).statusCode()).as("refused %d", n).isEqualTo(403);
            if (n % 500 == 0) {
                Map<String, String> message = TwilioRequests.inboundMessage("SMgenuine" + n, "+61412345678", "+61298765432", "hi");
                assertThat(twilio.post(TwilioRequests.INBOUND, message).statusCode()).as("genuine after %d", n).isEqualTo(200);
                assertThat(instance.http().get("/readyz").statusCode()).as("ready after %d", n).isEqualTo(200);
                genuine++;
            }
        }

        JdbcTemplate jdbc = instance.jdbc();
        assertThat(jdbc.queryForObject("select count(*) from messages", Integer.class)).isEqualTo(genuine);
        MeterRegistry meters = instance.bean(MeterRegistry.class);
        // A trim counts what it removed once its delete has committed: the count is checked with the table.
        await("the kept set trimmed to its bounds, and what went counted").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<String, Object> kept = jdbc.queryForMap("""
                    select count(*) as rows, coalesce(sum(body_bytes), 0) as bytes from refused_deliveries
                     where webhook = 'twilio-inbound' and reason = 'signature'""");
            assertThat(((Number) kept.get("rows")).intValue()).isLessThanOrEqualTo(MAX_KEPT).isPositive();
            assertThat(((Number) kept.get("bytes")).longValue()).isLessThanOrEqualTo(MAX_BYTES);
            double dropped = meters.get("refused.deliveries.dropped").tags("webhook", "twilio-inbound", "reason", "signature")
                    .counters().stream().mapToDouble(counter -> counter.count()).sum();
            int rows = jdbc.queryForObject("select count(*) from refused_deliveries", Integer.class);
            assertThat(dropped).as("every refusal gone from the kept set counted").isEqualTo(REFUSED - rows);
        });
        double keptCount = meters.get("refused.deliveries.kept").tags("webhook", "twilio-inbound", "reason", "signature")
                .counter().count();
        assertThat(keptCount + meters.get("refused.deliveries.dropped").tags("webhook", "twilio-inbound", "reason", "signature",
                "why", "not-kept").counter().count()).as("every refusal kept or counted as not kept").isEqualTo(REFUSED);
    }
}
