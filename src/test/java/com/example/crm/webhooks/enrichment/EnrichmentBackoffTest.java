package com.example.crm.webhooks.enrichment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;

/** The waits between attempts, and reading Reverse Contact's Retry-After. No Spring context needed. */
class EnrichmentBackoffTest {

    /** The production defaults of application.yaml. */
    private final EnrichmentSettings defaults = new EnrichmentSettings(Duration.ofSeconds(2), 8, 4, Duration.ofMinutes(10), 6,
            Duration.ofSeconds(1), 7.5, Duration.ofHours(1));

    @Test
    void sixAttemptsSpanAboutAnHourStartingNearOneSecond() {
        assertThat(defaults.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.backoffAfter(2)).isEqualTo(Duration.ofMillis(7500));
        Duration total = Duration.ZERO;
        for (int failed = 1; failed < defaults.maxAttempts(); failed++) {
            total = total.plus(defaults.backoffAfter(failed));
        }
        assertThat(total).isBetween(Duration.ofMinutes(55), Duration.ofMinutes(65));
    }

    @Test
    void noWaitExceedsTheMaximum() {
        assertThat(defaults.backoffAfter(30)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void readsRetryAfterInSecondsOrAsADate() {
        assertThat(EnrichmentQueue.retryAfter(rateLimited(Map.of("Retry-After", "120")))).isEqualTo(Duration.ofSeconds(120));
        assertThat(EnrichmentQueue.retryAfter(rateLimited(Map.of("retry-after", "3")))).isEqualTo(Duration.ofSeconds(3));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        assertThat(EnrichmentQueue.retryAfter(rateLimited(Map.of("Retry-After", inAMinute))))
                .isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60));
        assertThat(EnrichmentQueue.retryAfter(rateLimited(Map.of("Retry-After", "soon")))).isNull();
        assertThat(EnrichmentQueue.retryAfter(rateLimited(Map.of()))).isNull();
        assertThat(EnrichmentQueue.retryAfter(new IllegalStateException())).isNull();
    }

    @Test
    void describesAFailureWithoutItsQueryString() {
        HttpOperationFailedException failure = new HttpOperationFailedException(
                "https://api.example/v2/fetch/persons?apikey=secret", 503, "Unavailable", null, Map.of(), "down");
        assertThat(EnrichmentQueue.describe(failure)).isEqualTo("HTTP 503 from https://api.example/v2/fetch/persons: down");
    }

    private static HttpOperationFailedException rateLimited(Map<String, String> headers) {
        return new HttpOperationFailedException("https://api.example/v2/fetch/persons", 429, "Too Many Requests", null, headers, "");
    }
}
