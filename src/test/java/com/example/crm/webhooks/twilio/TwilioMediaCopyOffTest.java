package com.example.crm.webhooks.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Without Twilio credentials (the shared test configuration sets only the auth token), copying is
 * off: an inbound message with media is stored as always, its media as links, and queues no job.
 */
class TwilioMediaCopyOffTest extends WebhookServiceTest {

    @Autowired
    TwilioMediaCopies mediaCopies;

    @Test
    void aMessageWithMediaIsStoredWithItsLinksAndQueuesNothing() {
        assertThat(mediaCopies.copyEnabled()).isFalse();
        Map<String, String> form = TwilioRequests.inboundMessage("MMnocopy", "whatsapp:+61412345678", "whatsapp:+61298765432", "");
        form.put("NumMedia", "1");
        form.put("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/MMnocopy/Media/ME0");
        form.put("MediaContentType0", "image/jpeg");

        assertThat(new TwilioRequests(http).post(TwilioRequests.INBOUND, form).statusCode()).isEqualTo(200);

        assertThat(jdbc.queryForObject("select media::text from messages where twilio_sid = 'MMnocopy'", String.class))
                .isEqualTo("[{\"url\": \"" + form.get("MediaUrl0") + "\", \"contentType\": \"image/jpeg\"}]");
        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs", Integer.class)).isZero();
    }
}
