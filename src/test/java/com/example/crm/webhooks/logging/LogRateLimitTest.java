package com.example.crm.webhooks.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One line per reason per interval, and the next one says how many were held back. */
class LogRateLimitTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final LogRateLimit limit = new LogRateLimit(Duration.ofMinutes(1), 3, now::get);

    @Test
    void theFirstLineOfAReasonPassesAndTheRestOfTheMinuteIsCountedForTheNext() {
        assertThat(limit.permit("a")).isEqualTo(OptionalLong.of(0));
        for (int i = 0; i < 5; i++) {
            now.addAndGet(Duration.ofSeconds(10).toNanos());
            assertThat(limit.permit("a")).isEmpty();
        }
        now.addAndGet(Duration.ofSeconds(10).toNanos()); // a minute after the first line

        assertThat(limit.permit("a")).isEqualTo(OptionalLong.of(5));
        assertThat(limit.permit("a")).isEmpty();
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(limit.permit("a")).as("counted since the last line, not kept").isEqualTo(OptionalLong.of(1));
    }

    @Test
    void eachReasonHasItsOwnMinute() {
        assertThat(limit.permit("a")).isPresent();
        assertThat(limit.permit("b")).isPresent();
        assertThat(limit.permit("a")).isEmpty();
        assertThat(limit.permit("b")).isEmpty();
    }

    @Test
    void pastTheMostReasonsTheRestShareOne() {
        for (String reason : new String[] {"a", "b", "c"}) {
            assertThat(limit.permit(reason)).isPresent();
        }

        assertThat(limit.permit("d")).as("the first of the others").isPresent();
        assertThat(limit.permit("e")).as("shares the minute of d").isEmpty();
        assertThat(limit.permit("a")).as("a keeps its own").isEmpty();
    }
}
