package com.example.crm.webhooks.refused;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The bounds of the kept refused deliveries, per webhook and reason: a count, bytes of body, and a
 * retention time. Keeping one costs a single insert; the trim (routes/refused-deliveries.camel.yaml)
 * removes what is past the bounds, oldest first, every {@code refused.trim-interval}, and within a
 * second of a bound being passed: what the last trim left plus what was kept since it started is
 * known here, never less than what the table holds, so a flood overshoots a bound for a second at
 * most and a quiet table is not trimmed for nothing.
 */
@Component
public class RefusedDeliveryBounds {

    private final long maxCount;
    private final long maxBytes;
    private final Duration retention;
    private final Duration trimInterval;
    /**
     * Kept since the last trim started, per webhook and reason: count and bytes. A row committed
     * before that trim read the table may be counted here too (counted twice, a trim too many);
     * one committed after is always here (never missed, so no bound passes unseen).
     */
    private final AtomicReference<Map<String, long[]>> keptSinceTrimStarted = new AtomicReference<>(new ConcurrentHashMap<>());
    /** What the last trim left, per webhook and reason: count and bytes. */
    private volatile Map<String, long[]> leftByLastTrim = Map.of();
    private volatile long lastTrim = System.nanoTime();
    /** Until a trim finishes nothing is known of the table: the first trim comes at start, and a failed one is retried. */
    private volatile boolean trimUnfinished = true;

    public RefusedDeliveryBounds(@Value("${refused.max-per-reason}") long maxCount,
                                 @Value("${refused.max-bytes-per-reason}") long maxBytes,
                                 @Value("${refused.retention}") Duration retention,
                                 @Value("${refused.trim-interval}") Duration trimInterval) {
        if (maxCount < 1 || maxBytes < 1 || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("refused.max-per-reason, refused.max-bytes-per-reason and refused.retention must be positive");
        }
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
        this.retention = retention;
        this.trimInterval = trimInterval;
    }

    public long maxCount() {
        return maxCount;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public Duration retention() {
        return retention;
    }

    /** One more kept (after its row was committed). */
    void kept(String webhook, String reason, long bytes) {
        long[] counts = keptSinceTrimStarted.get().computeIfAbsent(key(webhook, reason), key -> new long[2]);
        synchronized (counts) {
            counts[0]++;
            counts[1] += bytes;
        }
    }

    /** Whether the trim should run now: the last did not finish, its interval is up, or a bound may be passed. */
    public boolean trimDue() {
        return trimUnfinished || System.nanoTime() - lastTrim >= trimInterval.toNanos() || aBoundMayBePassed();
    }

    private boolean aBoundMayBePassed() {
        for (Map.Entry<String, long[]> since : keptSinceTrimStarted.get().entrySet()) {
            long[] left = leftByLastTrim.getOrDefault(since.getKey(), new long[2]);
            long[] counts = since.getValue();
            synchronized (counts) {
                if (left[0] + counts[0] > maxCount || left[1] + counts[1] > maxBytes) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A trim is about to read the table: what is kept from now on is counted afresh. */
    void trimStarting() {
        trimUnfinished = true;
        keptSinceTrimStarted.set(new ConcurrentHashMap<>());
    }

    /** The trim finished: what it left (rows of webhook, reason, count, bytes) is what the table holds. */
    void trimmed(List<Map<String, Object>> left) {
        Map<String, long[]> byKey = new HashMap<>();
        for (Map<String, Object> row : left) {
            byKey.put(key((String) row.get("webhook"), (String) row.get("reason")),
                    new long[] {((Number) row.get("count")).longValue(), ((Number) row.get("bytes")).longValue()});
        }
        leftByLastTrim = Map.copyOf(byKey);
        lastTrim = System.nanoTime();
        trimUnfinished = false;
    }

    private static String key(String webhook, String reason) {
        return webhook + "\n" + reason;
    }
}
