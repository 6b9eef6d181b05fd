package com.example.crm.webhooks.refused;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The bounds of the kept refused deliveries, per webhook and reason: a count, bytes of body, and a
 * retention time. Keeping one costs a single insert; the trim (routes/refused-deliveries.camel.yaml)
 * removes what is past the bounds, oldest first, every {@code refused.trim-interval}, and sooner
 * when what was kept since the last trim reaches a quarter of a bound, so a flood of refused
 * requests overshoots the bounds by a fraction at most, for a moment.
 */
@Component
public class RefusedDeliveryBounds {

    private final long maxCount;
    private final long maxBytes;
    private final Duration retention;
    private final Duration trimInterval;
    /** Kept since the last trim, per webhook and reason: count and bytes. */
    private final Map<String, long[]> sinceTrim = new ConcurrentHashMap<>();
    private final AtomicLong lastTrim = new AtomicLong(System.nanoTime());
    private volatile boolean trimSoon;

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

    /** One more kept: a trim comes early once a quarter of a bound was kept since the last. */
    void kept(String webhook, String reason, long bytes) {
        long[] counts = sinceTrim.computeIfAbsent(webhook + "\n" + reason, key -> new long[2]);
        synchronized (counts) {
            counts[0]++;
            counts[1] += bytes;
            if (counts[0] * 4 >= maxCount || counts[1] * 4 >= maxBytes) {
                trimSoon = true;
            }
        }
    }

    /** Whether the trim should run now: its interval is up, or much was kept since the last one. */
    public boolean trimDue() {
        return trimSoon || System.nanoTime() - lastTrim.get() >= trimInterval.toNanos();
    }

    void trimmed() {
        sinceTrim.clear();
        trimSoon = false;
        lastTrim.set(System.nanoTime());
    }
}
