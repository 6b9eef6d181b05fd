package com.example.crm.webhooks.twilio;

import static com.example.crm.webhooks.support.TwilioRequests.INBOUND;
import static com.example.crm.webhooks.support.TwilioRequests.inboundMessage;
import static com.example.crm.webhooks.twilio.TwilioMessageStatusWebhookTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.edge.WebhookMetricsTest;
import com.example.crm.webhooks.support.CapturedLog;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An auth token rotated without a gap, over the public HTTP port of a second instance of the service
 * started with {@code TWILIO_AUTH_TOKEN_SECONDARY} and {@code TWILIO_CONNECTION_OVERRIDES} (on the
 * shared database, closed at the end): a message signed with either token is stored, one signed with
 * a third is 403 and stores nothing, and {@code twilio_signature_verified_total{token}} counts which
 * token verified each. Every signature is made for the URL Twilio is given and confirmed by the
 * Twilio SDK ({@link TwilioRequests#signature}); Twilio posts to the URL without its fragment.
 */
class TwilioTokenRotationTest extends WebhookServiceTest {

    /** The token being promoted in Twilio's console: the secondary until it is the primary. */
    private static final String NEW_TOKEN = "new-twilio-auth-token-being-promoted";
    private static final String OVERRIDES = "rc=2&rp=all&tt=14000";
    private static final String TWIML = "<Response></Response>";

    private static ServiceInstance rotating;

    @RegisterExtension
    final CapturedLog verifierLog = CapturedLog.of(TwilioSignatureVerifier.class);

    /**
     * Started once, by the first test: started from a {@code @BeforeAll}, before the shared
     * application, its public port never listened.
     */
    @BeforeEach
    void startTheInstanceWithBothTokens() {
        if (rotating == null) {
            rotating = ServiceInstance.start("twilio-token-rotation", TestInfrastructure.jdbcUrl(),
                    Map.of("twilio.auth-token-secondary", NEW_TOKEN, "twilio.connection-overrides", OVERRIDES));
        }
    }

    @AfterAll
    static void stopIt() {
        if (rotating != null) {
            rotating.close();
        }
    }

    @Test
    void aMessageSignedWithEitherTokenIsStoredAndCountedByTheTokenThatSignedIt() {
        TwilioRequests twilio = new TwilioRequests(rotating.http());
        double primaryBefore = verified("primary");
        double secondaryBefore = verified("secondary");

        HttpResponse<String> byPrimary = post(twilio, "SMprimary", TestInfrastructure.TWILIO_AUTH_TOKEN, "");
        HttpResponse<String> bySecondary = post(twilio, "SMsecondary", NEW_TOKEN, "");
        HttpResponse<String> bySecondaryAgain = post(twilio, "SMsecondary2", NEW_TOKEN, "");

        for (HttpResponse<String> response : List.of(byPrimary, bySecondary, bySecondaryAgain)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(TWIML);
        }
        assertThat(jdbc.queryForList("select twilio_sid from messages order by twilio_sid", String.class))
                .containsExactly("SMprimary", "SMsecondary", "SMsecondary2");
        assertThat(verified("primary") - primaryBefore).isEqualTo(1);
        assertThat(verified("secondary") - secondaryBefore).isEqualTo(2);
    }

    @Test
    void aThirdTokenIs403StoresNothingCountsNothingAndNoTokenIsLogged() {
        TwilioRequests twilio = new TwilioRequests(rotating.http());
        double primaryBefore = verified("primary");
        double secondaryBefore = verified("secondary");
        var before = db.snapshot();

        Map<String, String> message = inboundMessage("SMthird", "+61412345678", "+61298765432", "hi");
        String signature = TwilioRequests.signature("a-token-of-another-account", TestInfrastructure.PUBLIC_BASE_URL + INBOUND, message);
        assertRejected(twilio.postWithSignature(INBOUND, message, signature), 403, "invalid X-Twilio-Signature");

        assertThat(db.snapshot()).isEqualTo(before);
        assertThat(verified("primary")).isEqualTo(primaryBefore);
        assertThat(verified("secondary")).isEqualTo(secondaryBefore);
        assertThat(verifierLog.warnings()).singleElement().satisfies(line -> assertThat(line)
                .contains("check TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_SECONDARY), which must be the auth token of the account")
                .doesNotContain(NEW_TOKEN).doesNotContain(TestInfrastructure.TWILIO_AUTH_TOKEN).doesNotContain(signature));
    }

    /**
     * The number's URL entered in Twilio carries connection overrides, which Twilio does not send in
     * the request line: a signature over the URL with them is accepted by the instance that has them
     * configured, under either token, and refused by the shared one, which has not.
     */
    @Test
    void aSignatureOverTheUrlWithItsConnectionOverridesIsAcceptedWhereTheyAreConfigured() {
        TwilioRequests twilio = new TwilioRequests(rotating.http());

        assertThat(post(twilio, "SMoverrides", TestInfrastructure.TWILIO_AUTH_TOKEN, "#" + OVERRIDES).statusCode()).isEqualTo(200);
        assertThat(post(twilio, "SMoverrides2", NEW_TOKEN, "#" + OVERRIDES).statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForList("select twilio_sid from messages order by twilio_sid", String.class))
                .containsExactly("SMoverrides", "SMoverrides2");

        var before = db.snapshot();
        assertRejected(post(new TwilioRequests(http), "SMnoOverrides", TestInfrastructure.TWILIO_AUTH_TOKEN, "#" + OVERRIDES),
                403, "invalid X-Twilio-Signature");
        assertThat(db.snapshot()).isEqualTo(before);
    }

    /** An inbound message signed with {@code token} for the public URL followed by {@code fragment}, posted without it. */
    private static HttpResponse<String> post(TwilioRequests twilio, String messageSid, String token, String fragment) {
        Map<String, String> message = inboundMessage(messageSid, "+61412345678", "+61298765432", "hi");
        String signature = TwilioRequests.signature(token, TestInfrastructure.PUBLIC_BASE_URL + INBOUND + fragment, message);
        return twilio.postWithSignature(INBOUND, message, signature);
    }

    private static double verified(String token) {
        HttpResponse<String> response = ManagementClient.operator(rotating.managementPort()).get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return WebhookMetricsTest.value(response.body(), "twilio_signature_verified_total", "token=\"" + token + "\"");
    }
}
