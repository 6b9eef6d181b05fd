package com.example.crm.webhooks.refused;

import com.example.crm.webhooks.edge.WebhookCatalog;
import com.example.crm.webhooks.edge.WebhookMetrics.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Refused deliveries in Prometheus, by webhook and reason: {@code refused_deliveries_kept_total},
 * {@code refused_deliveries_dropped_total} (why: {@value #OVER_COUNT}, {@value #OVER_BYTES},
 * {@value #EXPIRED}, or {@value #NOT_KEPT} when it was not kept at all: neither the database nor the spool took
 * it, or refused.max-concurrent-writes were being written already) and
 * {@code refused_deliveries_replayed_total} (outcome: applied or refused). Each webhook's series
 * exist from the start, at 0, for the reasons a refusal is kept with.
 */
@Component
public class RefusedDeliveryMetrics {

    public static final String OVER_COUNT = "over-count";
    public static final String OVER_BYTES = "over-bytes";
    public static final String EXPIRED = "expired";
    public static final String NOT_KEPT = "not-kept";
    private static final List<String> DROPPED_WHY = List.of(OVER_COUNT, OVER_BYTES, EXPIRED, NOT_KEPT);
    private static final List<Reason> KEPT_REASONS = List.of(Reason.SIGNATURE, Reason.VALIDATION, Reason.UNKNOWN_ENTITY,
            Reason.NOT_CONFIGURED);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public RefusedDeliveryMetrics(MeterRegistry registry, WebhookCatalog webhooks) {
        this.registry = registry;
        webhooks.onWebhook(this::register);
    }

    void kept(String webhook, String reason) {
        counter("refused.deliveries.kept", webhook, reason, null, null).increment();
    }

    void dropped(String webhook, String reason, String why, long count) {
        counter("refused.deliveries.dropped", webhook, reason, "why", why).increment(count);
    }

    void replayed(String webhook, String reason, boolean applied) {
        counter("refused.deliveries.replayed", webhook, reason, "outcome", applied ? "applied" : "refused").increment();
    }

    private void register(String webhook) {
        for (Reason reason : KEPT_REASONS) {
            counter("refused.deliveries.kept", webhook, reason.label(), null, null);
            DROPPED_WHY.forEach(why -> counter("refused.deliveries.dropped", webhook, reason.label(), "why", why));
            for (String outcome : List.of("applied", "refused")) {
                counter("refused.deliveries.replayed", webhook, reason.label(), "outcome", outcome);
            }
        }
    }

    /** Pre-registered meters are looked up by a plain key: no registry search per refusal. */
    private Counter counter(String name, String webhook, String reason, String tag, String value) {
        String key = name + '\n' + webhook + '\n' + reason + '\n' + value;
        return counters.computeIfAbsent(key, k -> {
            Counter.Builder builder = Counter.builder(name).tag("webhook", webhook).tag("reason", reason);
            return (tag == null ? builder : builder.tag(tag, value)).register(registry);
        });
    }
}
