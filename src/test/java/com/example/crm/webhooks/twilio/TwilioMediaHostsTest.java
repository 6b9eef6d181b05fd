package com.example.crm.webhooks.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.crm.webhooks.images.ImageRefusedException;
import com.example.crm.webhooks.images.SafeImageFetcher;
import com.github.tomakehurst.wiremock.client.BasicCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which media URLs {@link TwilioMediaCopies} fetches, and which it refuses before any connection: a
 * plain {@code host} in TWILIO_MEDIA_HOSTS names https on 443 alone, a {@code host:port} that port
 * (http or https). Each refusal is counted by reason. The Basic credentials are checked against
 * WireMock's own encoding. Nothing here reaches the network.
 */
class TwilioMediaHostsTest {

    private static final String MEDIA_PATH = "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Messages/MM1/Media/ME1";

    private final SafeImageFetcher fetcher = new SafeImageFetcher(List.of(), 1024, Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    @Test
    void onlyListedHostsOnTheirSchemeAndPortAreFetched() {
        TwilioMediaCopies copies = copies("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "token", List.of("api.twilio.com", "stand-in.test:8089"));

        for (String url : List.of("http://api.twilio.com" + MEDIA_PATH, "https://api.twilio.com:8443" + MEDIA_PATH,
                "https://media.twiliocdn.com" + MEDIA_PATH, "https://api.twilio.com.evil.test" + MEDIA_PATH,
                "https://user@api.twilio.com" + MEDIA_PATH, "http://stand-in.test" + MEDIA_PATH, "http://stand-in.test:8090" + MEDIA_PATH)) {
            assertThatThrownBy(() -> copies.download(url)).as(url).isInstanceOf(ImageRefusedException.class)
                    .hasMessageContaining("is not in TWILIO_MEDIA_HOSTS");
        }
        assertThat(registry.get("twilio.media.failed").tag("reason", "host_not_listed").counter().count()).isEqualTo(7);
        assertThat(copies.mediaResource("https://api.twilio.com" + MEDIA_PATH)).isEqualTo("https://api.twilio.com" + MEDIA_PATH);
        assertThat(copies.mediaResource("https://API.twilio.com:443" + MEDIA_PATH)).isEqualTo("https://API.twilio.com:443" + MEDIA_PATH);
        assertThat(copies.mediaResource("http://stand-in.test:8089" + MEDIA_PATH)).isEqualTo("http://stand-in.test:8089" + MEDIA_PATH);
    }

    @Test
    void aMediaResourceWithAQueryOrOnAnotherHostIsNeverDeleted() {
        TwilioMediaCopies copies = copies("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "token", List.of("api.twilio.com"));

        assertThatThrownBy(() -> copies.mediaResource("https://api.twilio.com" + MEDIA_PATH + "?httpMethod=GET"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> copies.mediaResource("https://storage.example.com" + MEDIA_PATH))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copyingIsOnWithAWholeSetOfCredentialsOnly() {
        assertThat(copies("", "token", List.of("api.twilio.com")).copyEnabled()).isFalse();
        assertThat(copies("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", List.of("api.twilio.com")).copyEnabled()).isFalse();
        assertThat(copies("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "token", List.of("api.twilio.com")).authorization())
                .isEqualTo(new BasicCredentials("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "token").asAuthorizationHeaderValue());
        TwilioMediaCopies withKey = new TwilioMediaCopies(fetcher, registry, "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "token",
                "SK0123456789abcdef0123456789abcdef", "secret", List.of("api.twilio.com"), 1024, Duration.ofSeconds(1), false);
        assertThat(withKey.authorization()).as("the API key before the account's token")
                .isEqualTo(new BasicCredentials("SK0123456789abcdef0123456789abcdef", "secret").asAuthorizationHeaderValue());
    }

    private TwilioMediaCopies copies(String accountSid, String authToken, List<String> hosts) {
        return new TwilioMediaCopies(fetcher, registry, accountSid, authToken, "", "", hosts, 1024, Duration.ofSeconds(1), false);
    }
}
