package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lockout rules of {@link LoginThrottle}, on a clock the test moves. */
class LoginThrottleTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofSeconds(1), Duration.ofMinutes(15), Duration.ofSeconds(30), registry, now::get);

    @Test
    void theFirstFailuresAreFreeThenEachLocksOutTwiceAsLongUpToTheAddressCap() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("10.0.0.1", "operator");
            assertThat(throttle.lockedOut("10.0.0.1", "operator")).isEmpty();
        }
        long expected = 1;
        for (int i = 0; i < 14; i++) {
            throttle.failed("10.0.0.1", "intruder-" + i);
            assertThat(throttle.lockedOut("10.0.0.1", null)).hasValue(Duration.ofSeconds(Math.min(expected, 15 * 60)));
            expected *= 2;
        }
        assertThat(registry.get("management.login.failures").counter().count()).isEqualTo(17);
        assertThat(registry.get("management.login.throttled").counter().count()).isEqualTo(14);
    }

    @Test
    void aLockoutEndsOnTime() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("10.0.0.1", "operator");
        }
        advance(Duration.ofMillis(999));
        assertThat(throttle.lockedOut("10.0.0.1", "operator")).hasValue(Duration.ofMillis(1));
        advance(Duration.ofMillis(1));
        assertThat(throttle.lockedOut("10.0.0.1", "operator")).isEmpty();
    }

    @Test
    void aGuessedUserIsLockedOutBrieflyAndOnlyForAddressesThatFailedThemselves() {
        for (int i = 0; i < 20; i++) {
            throttle.failed("10.0.0." + i, "operator");
        }
        // The operator's own address never failed: never locked out by others' guesses.
        assertThat(throttle.lockedOut("192.168.1.5", "operator")).isEmpty();
        // A guessing address that has failed once waits for the user's lockout, which stops at 30 s.
        assertThat(throttle.lockedOut("10.0.0.0", "operator")).hasValue(Duration.ofSeconds(30));
        assertThat(throttle.lockedOut("10.0.0.0", "someone-else")).isEmpty();
    }

    @Test
    void aSuccessClearsItsAddressAndUser() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("10.0.0.1", "operator");
        }
        throttle.succeeded("10.0.0.1", "operator");
        assertThat(throttle.lockedOut("10.0.0.1", "operator")).isEmpty();
        throttle.failed("10.0.0.1", "operator");
        assertThat(throttle.lockedOut("10.0.0.1", "operator")).as("one failure after a success is free again").isEmpty();
    }

    @Test
    void failuresAreForgottenAfterAQuietSpell() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("10.0.0.1", "operator");
        }
        advance(Duration.ofMinutes(16));
        throttle.failed("10.0.0.1", "operator");
        assertThat(throttle.lockedOut("10.0.0.1", "operator")).isEmpty();
    }

    @Test
    void whatIsTrackedIsBounded() {
        for (int i = 0; i < LoginThrottle.MAX_TRACKED + 50; i++) {
            throttle.failed("address-" + i, null);
        }
        // Every address past the bound counts under one shared key: guessing from many addresses is still slowed.
        for (int i = 0; i < 5; i++) {
            throttle.failed("yet-another-address-" + i, null);
        }
        Optional<Duration> shared = throttle.lockedOut(LoginThrottle.OTHER_KEYS, null);
        assertThat(shared).isPresent();
        // Once the tracked ones are forgotten, new addresses get keys of their own again.
        advance(Duration.ofMinutes(16));
        throttle.failed("fresh-address", null);
        assertThat(throttle.lockedOut("fresh-address", null)).isEmpty();
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }
}
