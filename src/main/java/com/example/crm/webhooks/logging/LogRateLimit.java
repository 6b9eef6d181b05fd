package com.example.crm.webhooks.logging;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Lets a log line about one reason through at most once per interval, and counts the lines it holds
 * back, so the next one can say how many there were: a stream of the same failure (a caller's, which
 * the caller controls) makes one line a minute, not one per request. Reasons are few by the
 * caller's construction; past {@code maxReasons} distinct ones, the rest share one, so memory stays
 * bounded whatever the reasons are made of.
 */
public final class LogRateLimit {

    /** The reason every reason past {@code maxReasons} counts under. */
    static final String OTHER_REASONS = "(other reasons)";

    private final long intervalNanos;
    private final int maxReasons;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** One reason's last line let through, and the lines held back since. Guarded by itself. */
    private static final class Window {
        private boolean logged;
        private long loggedAt;
        private long heldBack;
    }

    public LogRateLimit(Duration interval, int maxReasons) {
        this(interval, maxReasons, System::nanoTime);
    }

    LogRateLimit(Duration interval, int maxReasons, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.maxReasons = maxReasons;
        this.nanoTime = nanoTime;
    }

    /**
     * Whether a line about {@code reason} may be logged now: if so, how many lines about it were held
     * back since the last one that was (0 for the first); empty when this one is held back too.
     */
    public OptionalLong permit(String reason) {
        String key = windows.containsKey(reason) || windows.size() < maxReasons ? reason : OTHER_REASONS;
        Window window = windows.computeIfAbsent(key, k -> new Window());
        synchronized (window) {
            long now = nanoTime.getAsLong();
            if (window.logged && now - window.loggedAt < intervalNanos) {
                window.heldBack++;
                return OptionalLong.empty();
            }
            long heldBack = window.heldBack;
            window.logged = true;
            window.loggedAt = now;
            window.heldBack = 0;
            return OptionalLong.of(heldBack);
        }
    }
}
