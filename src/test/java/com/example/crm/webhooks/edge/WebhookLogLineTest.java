package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every webhook's log line names what was delivered, by the provider's id, whatever the answer. */
class WebhookLogLineTest extends WebhookServiceTest {

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger webhooksLog = (Logger) LoggerFactory.getLogger("webhooks");
    private EnrichmentPause enrichmentPaused;

    @BeforeEach
    void captureTheWebhooksLog() {
        lines.start();
        webhooksLog.addAppender(lines);
        enrichmentPaused = EnrichmentPause.of(camelContext);
    }

    @AfterEach
    void stopCapturing() {
        webhooksLog.detachAppender(lines);
        enrichmentPaused.close();
    }

    @Test
    void twilioWebhooksAreNamedByTheirMessageSid() {
        NotifyBuilder done = new NotifyBuilder(camelContext).fromRoute("twilio-*").whenDone(3).create();
        TwilioRequests twilio = new TwilioRequests(http);
        twilio.post(TwilioRequests.INBOUND, TwilioRequests.inboundMessage("SMlog0001", "+61412345678", "+61400000000", "Hi"));
        twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SMlog0002", "delivered"));
        // Read, then refused: the id is known before the missing field is found.
        twilio.post(TwilioRequests.MESSAGE_STATUS, Map.of("MessageSid", "SMlog0003"));

        assertThat(done.matches(5, TimeUnit.SECONDS)).isTrue();
        assertLogged("route=twilio-inbound outcome=accepted status=200 id=SMlog0001 ");
        assertLogged("route=twilio-message-status outcome=accepted status=204 id=SMlog0002 ");
        assertLogged("route=twilio-message-status outcome=rejected/validation status=400 id=SMlog0003 ");
    }

    @Test
    void reverseContactWebhooksAreNamedBySubscriptionAndEntity() {
        jdbc.update("insert into people (first_name, alert_subscription_id) values ('Ada', 'sub-log-1')");
        jdbc.update("insert into companies (id, name) values ('co-log', 'Analytical Engines')");
        NotifyBuilder done = new NotifyBuilder(camelContext).fromRoute("reversecontact-*").whenDone(3).create();

        http.postJson("/api/webhooks/reversecontact", "{\"subscriptionId\": \"sub-log-1\", \"data\": {}}");
        http.postJson("/api/webhooks/reversecontact/resolve?type=company&id=co-log",
                "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/company/analytical-engines\"}}");
        http.postJson("/api/webhooks/reversecontact/resolve?type=company&id=co-unknown",
                "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/company/analytical-engines\"}}");

        assertThat(done.matches(5, TimeUnit.SECONDS)).isTrue();
        assertLogged("route=reversecontact-alert outcome=accepted status=200 id=sub-log-1 ");
        assertLogged("route=reversecontact-resolve outcome=accepted status=200 id=company:co-log ");
        assertLogged("route=reversecontact-resolve outcome=rejected/unknown_entity status=404 id=company:co-unknown ");
    }

    /**
     * The line is written when the exchange completes, which may be just after the answer: callers
     * wait for that first with a NotifyBuilder, which Camel notifies after the log line's own event
     * notifier (registered at start-up, so earlier).
     */
    private void assertLogged(String fields) {
        assertThat(messages()).anySatisfy(line -> assertThat(line).startsWith("webhook ").contains(fields));
    }

    private List<String> messages() {
        synchronized (lines) { // the appender appends under its own lock
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
