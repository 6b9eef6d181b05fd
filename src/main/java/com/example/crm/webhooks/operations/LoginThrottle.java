package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.logging.LogRateLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;

/**
 * Slows password guessing on the management port. Each client address and each user name may fail
 * a few logins freely; after that every further failure locks the next attempt out for a time that
 * doubles from the first lockout (a second), up to a cap: long for an address (a guesser there waits minutes), short
 * for a user name, which an attacker can name from anywhere. The user's lockout binds only addresses
 * that have failed themselves, so the operator, logging in from an address that has not, is never
 * locked out by someone else's guesses. A login that succeeds clears its address and user.
 *
 * <p>Counted in {@code management_login_failures_total} and {@code management_login_throttled_total}
 * (attempts refused while locked out); one WARN per address and minute. What is tracked is bounded:
 * past {@code MAX_TRACKED} keys, forgotten ones are dropped first and the rest share one key.
 */
@Component
public class LoginThrottle {

    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
    static final int MAX_TRACKED = 10_000;
    static final String OTHER_KEYS = "(other)";

    private final int freeFailures;
    private final long firstLockoutNanos;
    private final long maxAddressLockoutNanos;
    private final long maxUserLockoutNanos;
    private final long forgetAfterNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Failures> byAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Failures> byUser = new ConcurrentHashMap<>();
    private final LogRateLimit warnings = new LogRateLimit(Duration.ofMinutes(1), 1000);
    private final Counter failures;
    private final Counter throttled;

    /** One key's failures since its last success or since they were forgotten. Guarded by itself. */
    private static final class Failures {
        private int count;
        private long lastFailureAt;
        private long lockedUntil;
    }

    @Autowired
    public LoginThrottle(@Value("${operations.login.free-failures}") int freeFailures,
                         @Value("${operations.login.first-lockout}") Duration firstLockout,
                         @Value("${operations.login.max-address-lockout}") Duration maxAddressLockout,
                         @Value("${operations.login.max-user-lockout}") Duration maxUserLockout,
                         MeterRegistry registry) {
        this(freeFailures, firstLockout, maxAddressLockout, maxUserLockout, registry, System::nanoTime);
    }

    LoginThrottle(int freeFailures, Duration firstLockout, Duration maxAddressLockout, Duration maxUserLockout,
                  MeterRegistry registry, LongSupplier nanoTime) {
        this.freeFailures = freeFailures;
        this.firstLockoutNanos = firstLockout.toNanos();
        this.maxAddressLockoutNanos = maxAddressLockout.toNanos();
        this.maxUserLockoutNanos = maxUserLockout.toNanos();
        // Failures are forgotten after a quiet spell as long as the longest lockout (and at least 15 minutes).
        this.forgetAfterNanos = Math.max(maxAddressLockoutNanos, Duration.ofMinutes(15).toNanos());
        this.nanoTime = nanoTime;
        this.failures = Counter.builder("management.login.failures")
                .description("Failed logins on the management port").register(registry);
        this.throttled = Counter.builder("management.login.throttled")
                .description("Login attempts refused while their address or user was locked out").register(registry);
    }

    /** How long {@code address} must still wait before it may try to log in as {@code user}; empty if it may now. */
    public Optional<Duration> lockedOut(String address, String user) {
        long now = nanoTime.getAsLong();
        Failures ofAddress = byAddress.get(address);
        long wait = remaining(ofAddress, now);
        // The user's lockout binds only addresses that have failed themselves (see the class comment).
        if (ofAddress != null && user != null) {
            wait = Math.max(wait, remaining(byUser.get(user), now));
        }
        if (wait <= 0) {
            return Optional.empty();
        }
        throttled.increment();
        return Optional.of(Duration.ofNanos(wait));
    }

    /** A login as {@code user} from {@code address} failed. */
    public void failed(String address, String user) {
        failures.increment();
        long now = nanoTime.getAsLong();
        int count = fail(byAddress, address, maxAddressLockoutNanos, now);
        if (user != null) {
            fail(byUser, user, maxUserLockoutNanos, now);
        }
        if (count > freeFailures && warnings.permit(address).isPresent()) {
            log.warn("{} failed management logins from {} (last as user {}): each next attempt from there waits longer",
                    count, address, user);
        }
    }

    /** A login succeeded: its address and user start afresh. */
    public void succeeded(String address, String user) {
        if (address != null) {
            byAddress.remove(address);
        }
        if (user != null) {
            byUser.remove(user);
        }
    }

    @EventListener
    void on(AbstractAuthenticationFailureEvent event) {
        String address = addressOf(event.getAuthentication().getDetails());
        if (address != null) {
            failed(address, event.getAuthentication().getName());
        }
    }

    @EventListener
    void on(AuthenticationSuccessEvent event) {
        succeeded(addressOf(event.getAuthentication().getDetails()), event.getAuthentication().getName());
    }

    private static String addressOf(Object details) {
        return details instanceof WebAuthenticationDetails web ? web.getRemoteAddress() : null;
    }

    private long remaining(Failures of, long now) {
        if (of == null) {
            return 0;
        }
        synchronized (of) {
            return of.lockedUntil - now;
        }
    }

    /** Counts a failure for {@code key}; returns its failures so far. */
    private int fail(ConcurrentHashMap<String, Failures> tracked, String key, long maxLockout, long now) {
        Failures of = tracked.computeIfAbsent(boundedKey(tracked, key, now), k -> new Failures());
        synchronized (of) {
            if (of.count > 0 && now - of.lastFailureAt > forgetAfterNanos) {
                of.count = 0;
            }
            of.count++;
            of.lastFailureAt = now;
            int beyondFree = of.count - freeFailures;
            if (beyondFree > 0) {
                long lockout = firstLockoutNanos << Math.min(beyondFree - 1, 30);
                of.lockedUntil = now + Math.min(lockout, maxLockout);
            }
            return of.count;
        }
    }

    private String boundedKey(ConcurrentHashMap<String, Failures> tracked, String key, long now) {
        if (tracked.containsKey(key) || tracked.size() < MAX_TRACKED) {
            return key;
        }
        tracked.entrySet().removeIf(entry -> {
            synchronized (entry.getValue()) {
                return now - entry.getValue().lastFailureAt > forgetAfterNanos && entry.getValue().lockedUntil < now;
            }
        });
        return tracked.size() < MAX_TRACKED ? key : OTHER_KEYS;
    }
}
