package com.example.crm.webhooks.retention;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * How long the service keeps each kind of the rows it owns ({@code retention.*}), and when the
 * purge of routes/retention.camel.yaml is due: {@code retention.first-run-delay} after start, then
 * every {@code retention.interval}. The purge deletes {@code retention.batch-size} rows per
 * transaction and waits {@code retention.batch-pause} between batches, so webhooks writing the same
 * tables never wait long behind it.
 */
@Component
public class RetentionSchedule {

    /** The kinds, in the order a pass purges them; each names its route (purge-KIND) and SQL file. */
    public static final List<String> KINDS = List.of(
            "intake-ledger", "resolve-callbacks", "message-status-events", "enrichment-jobs", "dead-letters");
    /** A retention shorter than this is a mistake (a bare number is milliseconds to Spring), not a wish. */
    static final Duration SHORTEST_RETENTION = Duration.ofHours(1);

    private final Map<String, Duration> retentions = new LinkedHashMap<>();
    private final int batchSize;
    private final Duration batchPause;
    private final Duration interval;
    private final AtomicLong nextPass;

    public RetentionSchedule(@Value("${retention.intake-ledger}") Duration intakeLedger,
                             @Value("${retention.resolve-callbacks}") Duration resolveCallbacks,
                             @Value("${retention.message-status-events}") Duration messageStatusEvents,
                             @Value("${retention.enrichment-jobs}") Duration enrichmentJobs,
                             @Value("${retention.dead-letters}") Duration deadLetters,
                             @Value("${retention.batch-size}") int batchSize,
                             @Value("${retention.batch-pause}") Duration batchPause,
                             @Value("${retention.interval}") Duration interval,
                             @Value("${retention.first-run-delay}") Duration firstRunDelay) {
        List<Duration> given = List.of(intakeLedger, resolveCallbacks, messageStatusEvents, enrichmentJobs, deadLetters);
        for (int i = 0; i < KINDS.size(); i++) {
            if (given.get(i).compareTo(SHORTEST_RETENTION) < 0) {
                throw new IllegalArgumentException("retention." + KINDS.get(i) + " must be at least "
                        + SHORTEST_RETENTION.toHours() + "h (e.g. 30d), not " + given.get(i));
            }
            retentions.put(KINDS.get(i), given.get(i));
        }
        if (batchSize < 1 || batchPause.isNegative() || interval.isNegative() || interval.isZero() || firstRunDelay.isNegative()) {
            throw new IllegalArgumentException(
                    "retention.batch-size and retention.interval must be positive, retention.batch-pause and retention.first-run-delay not negative");
        }
        this.batchSize = batchSize;
        this.batchPause = batchPause;
        this.interval = interval;
        this.nextPass = new AtomicLong(System.nanoTime() + firstRunDelay.toNanos());
    }

    /** Whether a pass is due now; if so the next one is due an interval later (a failed pass included). */
    public boolean due() {
        long now = System.nanoTime();
        long next = nextPass.get();
        return now - next >= 0 && nextPass.compareAndSet(next, now + interval.toNanos());
    }

    public int batchSize() {
        return batchSize;
    }

    public long batchPauseMillis() {
        return batchPause.toMillis();
    }

    public Duration retention(String kind) {
        return retentions.get(kind);
    }
}
