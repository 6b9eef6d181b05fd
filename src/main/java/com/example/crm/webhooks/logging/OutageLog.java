package com.example.crm.webhooks.logging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;

/**
 * What a poller logs about a dependency it needs: one WARN when the dependency stops answering and
 * one INFO when it answers again, whatever the number of polls in between, and never a stack trace
 * (the outage is the news, not where in the code it was met). It also knows since when the
 * dependency is down, for health.
 */
public final class OutageLog {

    private final Logger log;
    private final String poller;
    private final String dependency;
    private final Clock clock;
    private final AtomicReference<Instant> downSince = new AtomicReference<>();

    public OutageLog(Logger log, String poller, String dependency) {
        this(log, poller, dependency, Clock.systemUTC());
    }

    OutageLog(Logger log, String poller, String dependency, Clock clock) {
        this.log = log;
        this.poller = poller;
        this.dependency = dependency;
        this.clock = clock;
    }

    /** A poll found the dependency down: the WARN, if it answered until now. */
    public void down(Throwable failure) {
        if (downSince.compareAndSet(null, clock.instant())) {
            log.warn("{}: {} does not answer ({}); polling on without a line per poll until it answers",
                    poller, dependency, LogText.escape(failure == null ? "no answer" : String.valueOf(failure.getMessage()), 300));
        }
    }

    /** A poll reached the dependency: the INFO, if it was down. */
    public void answered() {
        if (downSince.get() == null) {
            return;
        }
        Instant since = downSince.getAndSet(null);
        if (since != null) {
            log.info("{}: {} answers again after {} s", poller, dependency, Duration.between(since, clock.instant()).toSeconds());
        }
    }

    /** Since when the dependency has not answered, or null while it does. */
    public Instant downSince() {
        return downSince.get();
    }
}
