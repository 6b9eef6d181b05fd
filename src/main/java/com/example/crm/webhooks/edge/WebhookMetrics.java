package com.example.crm.webhooks.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The domain counters of the webhooks, scraped from /actuator/prometheus:
 * {@code webhooks_accepted_total{endpoint}} and {@code webhooks_rejected_total{endpoint,reason}}
 * (reason: signature, validation, unknown_entity, duplicate, not_configured, unavailable,
 * internal_error; a duplicate is a repeated delivery answered 2xx that changed nothing). The endpoint is the id
 * of the route the request entered ({@code exchange.getFromRouteId()}). Meters are registered up
 * front and then looked up in a map, so counting costs no registry search on the request path.
 *
 * <p>Each call also records the outcome on the exchange ({@link #OUTCOME_PROPERTY}), which the
 * one log line per webhook ({@link WebhookOutcomeLog}) reports.
 *
 * <p>The webhook template calls {@link #stored} once a webhook's data is committed; rejections are counted by the
 * shared error handling. It takes the exchange: it records the outcome on it for the log line
 * (infrastructure, like the HTTP edge, rather than a domain step).
 */
@Component("webhookMetrics")
public class WebhookMetrics {

    /** Exchange property: accepted, duplicate, spooled, rejected or failed. */
    public static final String OUTCOME_PROPERTY = "webhookOutcome";
    /**
     * Exchange property: the webhook route a delivery came in on, when it is applied elsewhere (from
     * the intake spool); else the route the exchange entered is the webhook's.
     */
    public static final String ROUTE_PROPERTY = "webhookRoute";
    /** Where a delivery the database could not take was kept. */
    public static final List<String> SPOOLS = List.of("r2", "directory");
    /** Header camel-sql leaves after an insert or update: the rows it wrote. */
    static final String SQL_UPDATE_COUNT = "CamelSqlUpdateCount";
    /** Exchange property: the rejection reason, when the outcome is rejected. */
    public static final String REASON_PROPERTY = "webhookRejectionReason";

    /** Why a webhook was refused (a rejection's status decides, see {@link #reasonFor(int)}), or that it was a repeat. */
    public enum Reason {
        SIGNATURE, VALIDATION, UNKNOWN_ENTITY, DUPLICATE, NOT_CONFIGURED, UNAVAILABLE, INTERNAL_ERROR;

        public String label() {
            return name().toLowerCase();
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> accepted = new ConcurrentHashMap<>();
    private final Map<String, Map<Reason, Counter>> rejected = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Counter>> spooled = new ConcurrentHashMap<>();

    /** Every webhook's series exist (at 0) from the start, or from when its route appears. */
    public WebhookMetrics(MeterRegistry registry, WebhookCatalog webhooks) {
        this.registry = registry;
        webhooks.onWebhook(this::register);
    }

    /** The webhook's data is stored (call after the commit). */
    public void accepted(Exchange exchange) {
        String endpoint = endpoint(exchange);
        Counter counter = accepted.get(endpoint);
        (counter != null ? counter : register(endpoint)).increment();
        exchange.setProperty(OUTCOME_PROPERTY, "accepted");
    }

    /**
     * The outcome of the write that just committed, by the rows it wrote: none means a repeated
     * delivery that changed nothing ({@link #duplicate}), any an {@link #accepted} one. The count is
     * the body when the store step returned one (a Java store), else the {@code CamelSqlUpdateCount}
     * a {@code sql:} insert or update left. The webhook template, and the intake drain, call it
     * after a webhook's store route: {@code bean: {ref: webhookMetrics, method: stored}}.
     */
    public void stored(Exchange exchange) {
        Object rows = exchange.getMessage().getBody();
        if (!(rows instanceof Number)) {
            rows = exchange.getMessage().getHeader(SQL_UPDATE_COUNT);
        }
        if (!(rows instanceof Number count)) {
            throw new IllegalStateException("the store step of " + exchange.getFromRouteId() + " left no row count");
        }
        if (count.intValue() > 0) {
            accepted(exchange);
        } else {
            duplicate(exchange);
        }
    }

    /**
     * The database could not take the delivery and it is kept in the intake spool ({@code spool}: r2
     * or directory), to be applied when the database answers: answered as on success, counted in
     * {@code intake_spooled_total{endpoint,spool}}, logged as spooled.
     */
    public void spooled(Exchange exchange, String spool) {
        String endpoint = endpoint(exchange);
        Map<String, Counter> bySpool = spooled.get(endpoint);
        if (bySpool == null) {
            register(endpoint);
            bySpool = spooled.get(endpoint);
        }
        bySpool.get(spool).increment();
        exchange.setProperty(OUTCOME_PROPERTY, "spooled");
    }

    /** A repeated delivery that changed nothing (answered like the first one, counted as rejected/duplicate). */
    public void duplicate(Exchange exchange) {
        count(exchange, Reason.DUPLICATE);
        exchange.setProperty(OUTCOME_PROPERTY, "duplicate");
    }

    /** A refusal (or failure) answered with an error; called by {@code edge.ErrorResponses}. */
    public void rejected(Exchange exchange, Reason reason) {
        count(exchange, reason);
        exchange.setProperty(OUTCOME_PROPERTY, reason == Reason.INTERNAL_ERROR ? "failed" : "rejected");
        exchange.setProperty(REASON_PROPERTY, reason.label());
    }

    private void count(Exchange exchange, Reason reason) {
        String endpoint = endpoint(exchange);
        Map<Reason, Counter> byReason = rejected.get(endpoint);
        if (byReason == null) {
            register(endpoint);
            byReason = rejected.get(endpoint);
        }
        byReason.get(reason).increment();
    }

    /**
     * The reason of a {@code WebhookRejection} by its status: 403 is a bad Twilio signature, 404 an
     * unknown subscription or entity, other 4xx bad input, 500 missing configuration.
     */
    public static Reason reasonFor(int status) {
        return switch (status) {
            case 403 -> Reason.SIGNATURE;
            case 404 -> Reason.UNKNOWN_ENTITY;
            case 500 -> Reason.NOT_CONFIGURED;
            case 503 -> Reason.UNAVAILABLE;
            default -> status >= 400 && status < 500 ? Reason.VALIDATION : Reason.INTERNAL_ERROR;
        };
    }

    private static String endpoint(Exchange exchange) {
        String webhook = exchange.getProperty(ROUTE_PROPERTY, String.class);
        if (webhook != null) {
            return webhook;
        }
        String routeId = exchange.getFromRouteId();
        return routeId == null ? "unknown" : routeId;
    }

    /** Registers every series of one endpoint (once; later routes get theirs on first use); returns its accepted counter. */
    private synchronized Counter register(String endpoint) {
        Counter existing = accepted.get(endpoint);
        if (existing != null) {
            return existing;
        }
        Map<Reason, Counter> byReason = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            byReason.put(reason, Counter.builder("webhooks.rejected")
                    .description("Webhooks refused, by reason").tag("endpoint", endpoint).tag("reason", reason.label())
                    .register(registry));
        }
        rejected.put(endpoint, byReason);
        Map<String, Counter> bySpool = new ConcurrentHashMap<>();
        for (String spool : SPOOLS) {
            bySpool.put(spool, Counter.builder("intake.spooled")
                    .description("Deliveries kept in the intake spool while the database could not take them")
                    .tag("endpoint", endpoint).tag("spool", spool).register(registry));
        }
        spooled.put(endpoint, bySpool);
        Counter counter = Counter.builder("webhooks.accepted")
                .description("Webhooks stored").tag("endpoint", endpoint).register(registry);
        accepted.put(endpoint, counter);
        return counter;
    }
}
