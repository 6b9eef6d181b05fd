package com.example.crm.webhooks.retention;

import com.example.crm.webhooks.logging.LogRateLimit;
import com.example.crm.webhooks.logging.LogText;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What the retention purge (routes/retention.camel.yaml) did, per kind: rows purged
 * ({@code retention_purged_rows_total}), passes that failed ({@code retention_failures_total}), and
 * when the last pass ended without error ({@code retention_last_success_timestamp_seconds}, the
 * start-up time until then, so a fresh instance does not look failing). An INFO line per pass that
 * purged anything; a failure is a WARN without its stack trace, at most one a kind per ten minutes.
 */
@Component
public class RetentionPurges {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurges.class);

    private final Map<String, Counter> purgedRows = new HashMap<>();
    private final Map<String, Counter> failures = new HashMap<>();
    private final Map<String, AtomicLong> lastSuccessSeconds = new HashMap<>();
    private final LogRateLimit warnings = new LogRateLimit(Duration.ofMinutes(10), RetentionSchedule.KINDS.size());
    private final RetentionSchedule schedule;
    private final int batchSize;

    public RetentionPurges(MeterRegistry registry, RetentionSchedule schedule) {
        this.schedule = schedule;
        this.batchSize = schedule.batchSize();
        long now = System.currentTimeMillis() / 1000;
        for (String kind : RetentionSchedule.KINDS) {
            purgedRows.put(kind, Counter.builder("retention.purged.rows").tag("kind", kind).register(registry));
            failures.put(kind, Counter.builder("retention.failures").tag("kind", kind).register(registry));
            AtomicLong lastSuccess = new AtomicLong(now);
            lastSuccessSeconds.put(kind, lastSuccess);
            Gauge.builder("retention.last.success.timestamp", lastSuccess, AtomicLong::get).baseUnit("seconds")
                    .tag("kind", kind).register(registry);
        }
    }

    /**
     * One kind's pass, as it goes: rows purged, batches run, and the last row examined, after which
     * the next batch looks (rows that stay although old are not examined twice).
     */
    public static final class Pass {
        private final String kind;
        private final long retentionSeconds;
        private long rows;
        private int batches;
        private boolean lockedElsewhere;
        private Object afterTime;
        private Object afterId;

        Pass(String kind, long retentionSeconds) {
            this.kind = kind;
            this.retentionSeconds = retentionSeconds;
        }
    }

    public Pass start(String kind) {
        if (!purgedRows.containsKey(kind)) {
            throw new IllegalArgumentException("no retention kind " + kind);
        }
        return new Pass(kind, schedule.retention(kind).toSeconds());
    }

    /** The next batch's parameters, as the kind's purge SQL takes them. */
    public Map<String, Object> nextBatch(Pass pass) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("retentionSeconds", pass.retentionSeconds);
        parameters.put("batchSize", batchSize);
        parameters.put("afterTime", pass.afterTime);
        parameters.put("afterId", pass.afterId);
        return parameters;
    }

    /**
     * One batch's answer, counted: held (whether this instance had the kind's lock), purged (rows
     * gone), examined, and the last one examined (afterTime, afterId). Whether the pass goes on: only
     * after a full batch examined, there may be more.
     */
    public boolean purged(Pass pass, Map<String, Object> batch) {
        long rows = ((Number) batch.get("purged")).longValue();
        long examined = ((Number) batch.get("examined")).longValue();
        pass.batches++;
        pass.rows += rows;
        pass.lockedElsewhere = !Boolean.TRUE.equals(batch.get("held"));
        pass.afterTime = batch.get("afterTime");
        pass.afterId = batch.get("afterId");
        purgedRows.get(pass.kind).increment(rows);
        return examined >= batchSize;
    }

    public void finished(Pass pass) {
        lastSuccessSeconds.get(pass.kind).set(System.currentTimeMillis() / 1000);
        if (pass.rows > 0) {
            log.info("Retention purged {} rows of {} in {} batches", pass.rows, pass.kind, pass.batches);
        } else if (pass.lockedElsewhere) {
            log.debug("Retention of {} left to the instance purging it now", pass.kind);
        }
    }

    public void failed(Pass pass, Exception failure) {
        failures.get(pass.kind).increment();
        OptionalLong heldBack = warnings.permit(pass.kind);
        if (heldBack.isPresent()) {
            log.warn("Retention of {} failed after {} rows ({}); tried again at the next pass{}", pass.kind, pass.rows,
                    LogText.escape(String.valueOf(failure.getMessage()), 300),
                    heldBack.getAsLong() > 0 ? " (" + heldBack.getAsLong() + " more failures since the last line)" : "");
        }
    }
}
