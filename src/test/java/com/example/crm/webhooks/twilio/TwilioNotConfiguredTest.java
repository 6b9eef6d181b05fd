package com.example.crm.webhooks.twilio;

import static com.example.crm.webhooks.twilio.TwilioMessageStatusWebhookTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service started without TWILIO_AUTH_TOKEN: both Twilio webhooks answer 500 with a clear
 * error, after the content type and size checks, and write nothing. The token is read at start-up,
 * so this runs a second instance of the service (on the shared database), closed at the end.
 */
class TwilioNotConfiguredTest extends WebhookServiceTest {

    private static final String NOT_CONFIGURED = "Twilio webhooks are not configured: TWILIO_AUTH_TOKEN is not set";

    @Test
    void bothWebhooksAnswer500AndWriteNothing() {
        try (ServiceInstance unconfigured = ServiceInstance.start("twilio-not-configured",
                TestInfrastructure.jdbcUrl(), Map.of("twilio.auth-token", ""))) {
            WebhookClient client = unconfigured.http();
            TwilioRequests twilio = new TwilioRequests(client);
            var before = db.snapshot();

            assertRejected(twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SM1", "sent")),
                    500, NOT_CONFIGURED);
            assertRejected(twilio.post(TwilioRequests.INBOUND, TwilioRequests.inboundMessage("SM1", "+61412345678", "+61298765432", "hi")),
                    500, NOT_CONFIGURED);
            assertRejected(twilio.postWithSignature(TwilioRequests.INBOUND, TwilioRequests.inboundMessage("SM2", "+1", "+2", "x"), null),
                    500, NOT_CONFIGURED);
            // A request the service would refuse anyway keeps its own answer.
            assertRejected(client.post(TwilioRequests.INBOUND, "application/json", "{}", Map.of()), 415,
                    "Content-Type must be application/x-www-form-urlencoded");

            assertThat(db.snapshot()).isEqualTo(before);
        }
    }
}
