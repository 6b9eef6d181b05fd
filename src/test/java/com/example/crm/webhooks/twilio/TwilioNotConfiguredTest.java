package com.example.crm.webhooks.twilio;

import static com.example.crm.webhooks.twilio.TwilioMessageStatusWebhookTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.TestDatabase;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import java.util.Map;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service started without TWILIO_AUTH_TOKEN: both Twilio webhooks answer 500 with a clear
 * error, after the content type and size checks, and write nothing. A context of its own, since
 * the token is read at start-up.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class TwilioNotConfiguredTest {

    private static final String NOT_CONFIGURED = "Twilio webhooks are not configured: TWILIO_AUTH_TOKEN is not set";

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcTemplate jdbc;

    @DynamicPropertySource
    static void withoutTwilioAuthToken(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
        registry.add("twilio.auth-token", () -> "");
    }

    @Test
    void bothWebhooksAnswer500AndWriteNothing() {
        TestDatabase db = new TestDatabase(jdbc);
        db.truncateAll();
        WebhookClient http = new WebhookClient("http://127.0.0.1:" + port);
        TwilioRequests twilio = new TwilioRequests(http);
        var before = db.snapshot();

        assertRejected(twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SM1", "sent")),
                500, NOT_CONFIGURED);
        assertRejected(twilio.post(TwilioRequests.INBOUND, TwilioRequests.inboundMessage("SM1", "+61412345678", "+61298765432", "hi")),
                500, NOT_CONFIGURED);
        assertRejected(twilio.postWithSignature(TwilioRequests.INBOUND, TwilioRequests.inboundMessage("SM2", "+1", "+2", "x"), null),
                500, NOT_CONFIGURED);
        // A request the service would refuse anyway keeps its own answer.
        assertRejected(http.post(TwilioRequests.INBOUND, "application/json", "{}", Map.of()), 415,
                "Content-Type must be application/x-www-form-urlencoded");

        assertThat(db.snapshot()).isEqualTo(before);
    }
}
