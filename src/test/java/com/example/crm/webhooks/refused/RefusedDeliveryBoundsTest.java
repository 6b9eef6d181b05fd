package com.example.crm.webhooks.refused;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When the trim of the kept refused deliveries is due: at start, after a failed trim, and as soon as
 * what the last trim left plus what was kept since it started passes a bound; not before.
 */
class RefusedDeliveryBoundsTest {

    private final RefusedDeliveryBounds bounds = new RefusedDeliveryBounds(100, 30_000, Duration.ofDays(7), Duration.ofHours(1));

    @Test
    void theFirstTrimComesAtStartAndAFailedOneIsRetried() {
        assertThat(bounds.trimDue()).as("nothing known of the table yet").isTrue();
        bounds.trimStarting();
        assertThat(bounds.trimDue()).as("a trim that did not finish").isTrue();
        bounds.trimmed(List.of());
        assertThat(bounds.trimDue()).isFalse();
    }

    @Test
    void aTrimIsDueOnceWhatWasLeftAndKeptSincePassesACount() {
        trimmedLeaving(95, 1_000);
        for (int n = 0; n < 5; n++) {
            bounds.kept("twilio-inbound", "signature", 10);
        }
        bounds.kept("twilio-inbound", "unreadable", 10);
        assertThat(bounds.trimDue()).as("100 of 100 kept").isFalse();
        bounds.kept("twilio-inbound", "signature", 10);
        assertThat(bounds.trimDue()).as("101 of 100 kept").isTrue();
    }

    @Test
    void aTrimIsDueOnceTheBytesPassTheirBound() {
        trimmedLeaving(1, 29_000);
        bounds.kept("twilio-inbound", "signature", 1_000);
        assertThat(bounds.trimDue()).isFalse();
        bounds.kept("twilio-inbound", "signature", 1);
        assertThat(bounds.trimDue()).isTrue();
    }

    @Test
    void whatWasKeptWhileATrimRanStillCounts() {
        trimmedLeaving(100, 1_000);
        bounds.trimStarting();
        bounds.kept("twilio-inbound", "signature", 10);
        bounds.trimmed(List.of(left(100, 1_000)));
        assertThat(bounds.trimDue()).as("the row the trim may not have seen").isTrue();
    }

    private void trimmedLeaving(long count, long bytes) {
        bounds.trimStarting();
        bounds.trimmed(List.of(left(count, bytes)));
    }

    private static Map<String, Object> left(long count, long bytes) {
        return Map.of("webhook", "twilio-inbound", "reason", "signature", "why", "left", "count", count, "bytes", bytes);
    }
}
