package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.enrichment.EnrichmentQueue;
import com.example.crm.webhooks.reversecontact.ReverseContactAccess;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The gauges {@code enrichment_jobs{state}} and {@code dead_letters_unreplayed}, scraped from
 * /actuator/prometheus. One grouped count query serves all gauges of a scrape and is reused for a
 * few seconds, so a scrape never costs more than one round trip. While the database is
 * unreachable the gauges read NaN (no value) rather than a stale number. And
 * {@code enrichment_paused}, 1 while this instance's enrichment is paused because Reverse Contact
 * refuses its key or credits, else 0: this instance's own state, not a count.
 */
@Component
public class OperationsCounts implements MeterBinder {

    private static final String DEAD_LETTERS = "dead_letters_unreplayed";

    private static final Logger log = LoggerFactory.getLogger(OperationsCounts.class);

    private final EnrichmentQueue queue;
    private final ReverseContactAccess reverseContact;
    private final Duration maxAge;
    private final Clock clock;
    private Map<String, Long> counts = Map.of();
    private Instant countedAt = Instant.MIN;

    public OperationsCounts(EnrichmentQueue queue, ReverseContactAccess reverseContact,
                            @Value("${operations.metrics.gauge-cache-seconds:10}") long cacheSeconds) {
        this.queue = queue;
        this.reverseContact = reverseContact;
        this.maxAge = Duration.ofSeconds(cacheSeconds);
        this.clock = Clock.systemUTC();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String state : EnrichmentQueue.JOB_STATES) {
            Gauge.builder("enrichment.jobs", this, counts -> counts.jobs(state))
                    .description("Enrichment jobs by state")
                    .tag("state", state)
                    .register(registry);
        }
        Gauge.builder("dead.letters.unreplayed", this, OperationsCounts::unreplayedDeadLetters)
                .description("Dead letters not replayed yet")
                .register(registry);
        Gauge.builder("enrichment.paused", reverseContact, access -> access.isPaused() ? 1 : 0)
                .description("1 while this instance's enrichment is paused: Reverse Contact refuses its API key or credits")
                .register(registry);
    }

    public double jobs(String state) {
        return value(state);
    }

    public double unreplayedDeadLetters() {
        return value(DEAD_LETTERS);
    }

    private synchronized double value(String key) {
        Instant now = clock.instant();
        if (countedAt.plus(maxAge).isBefore(now)) {
            counts = count();
            countedAt = now;
        }
        if (counts == null) {
            return Double.NaN;
        }
        return counts.getOrDefault(key, 0L);
    }

    /** Forgets the cached counts, so the next scrape counts again (after a replay, say). */
    public synchronized void refresh() {
        countedAt = Instant.MIN;
    }

    private Map<String, Long> count() {
        try {
            return queue.counts(DEAD_LETTERS);
        } catch (DataAccessException e) {
            log.warn("Could not count enrichment jobs and dead letters: {}", e.getMessage());
            return null;
        }
    }
}
