package com.example.crm.webhooks.operations;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Enrichment jobs by state and unreplayed dead letters, for the gauges of {@link WebhookMetrics}.
 * One grouped count query serves all gauges of a scrape and is reused for a few seconds, so a
 * scrape never costs more than one round trip. While the database is unreachable the gauges
 * read NaN (no value) rather than a stale number.
 */
@Component
public class OperationsCounts {

    static final List<String> JOB_STATES = List.of("pending", "running", "done", "dead");
    private static final String DEAD_LETTERS = "dead_letters_unreplayed";

    private static final Logger log = LoggerFactory.getLogger(OperationsCounts.class);

    private final JdbcTemplate jdbc;
    private final Duration maxAge;
    private final Clock clock;
    private Map<String, Long> counts = Map.of();
    private Instant countedAt = Instant.MIN;

    public OperationsCounts(JdbcTemplate jdbc, @Value("${operations.metrics.gauge-cache-seconds:10}") long cacheSeconds) {
        this.jdbc = jdbc;
        this.maxAge = Duration.ofSeconds(cacheSeconds);
        this.clock = Clock.systemUTC();
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

    /** Forgets the cached counts, so the next scrape counts again (tests, and after a replay). */
    public synchronized void refresh() {
        countedAt = Instant.MIN;
    }

    private Map<String, Long> count() {
        try {
            Map<String, Long> result = new HashMap<>();
            jdbc.query("""
                    select state, count(*) from enrichment_jobs group by state
                    union all
                    select ?, count(*) from dead_letters where replayed_at is null
                    """, rs -> {
                result.put(rs.getString(1), rs.getLong(2));
            }, DEAD_LETTERS);
            return result;
        } catch (DataAccessException e) {
            log.warn("Could not count enrichment jobs and dead letters: {}", e.getMessage());
            return null;
        }
    }
}
