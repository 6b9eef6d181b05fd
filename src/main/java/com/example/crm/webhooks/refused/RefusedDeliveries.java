package com.example.crm.webhooks.refused;

import com.example.crm.webhooks.edge.Refusal;
import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookMetrics;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.edge.WebhookRequests;
import com.example.crm.webhooks.edge.WebhookCatalog;
import com.example.crm.webhooks.intake.ForgedSpoolDocumentException;
import com.example.crm.webhooks.intake.IntakeSpool;
import com.example.crm.webhooks.intake.SpooledDelivery;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What routes/refused-deliveries.camel.yaml keeps of a delivery its webhook refused after the body
 * arrived in full, and how it gets it back for a replay: plain values for its {@code sql:} steps.
 * Never the query's credentials ({@link WebhookDelivery#withoutCredentials}), only the headers the
 * webhook reads ({@link IntakeSpool#keptHeaders}). 408, 413 and 415 are not kept: no whole body
 * the webhook takes came with them.
 */
@Component("refusedDeliveries")
public class RefusedDeliveries {

    /** Refusals without a whole, acceptable body: nothing worth replaying. */
    private static final Set<Integer> NOT_KEPT = Set.of(408, 413, 415);
    private static final String KEEP = "direct:keep-refused-delivery";
    /** The variable the intake routes keep a spooled delivery in, and the replay a kept one. */
    private static final String SPOOLED = "spooled";
    /** The trim's row for what it left of a webhook and reason (sql/trim-refused-deliveries.sql). */
    private static final String LEFT = "left";
    /** The outcome of a replay that applied the delivery (routes/refused-deliveries.camel.yaml). */
    public static final String APPLIED = "applied";
    /** The reason a spooled document that failed its MAC is kept under. */
    public static final String FORGED_REASON = "spool_mac";
    /** The webhook a spooled document that names none of this service's is kept under. */
    public static final String FORGED_WEBHOOK = "intake";
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    /** How long a refusal waits for a turn to be written: a burst is kept, a flood is not queued. */
    private static final Duration WAIT_TO_WRITE = Duration.ofMillis(200);

    private final ObjectMapper objectMapper;
    private final IntakeSpool spool;
    private final WebhookCatalog webhooks;
    private final RefusedDeliveryMetrics metrics;
    private final RefusedDeliveryBounds bounds;
    private final ProducerTemplate producer;
    /** Refused deliveries being kept now: at most refused.max-concurrent-writes. */
    private final Semaphore writing;

    public RefusedDeliveries(ObjectMapper objectMapper, RefusedDeliveryMetrics metrics, RefusedDeliveryBounds bounds,
                             ProducerTemplate producer, @Value("${refused.max-concurrent-writes}") int maxConcurrentWrites,
                             IntakeSpool spool, WebhookCatalog webhooks) {
        this.objectMapper = objectMapper;
        this.spool = spool;
        this.webhooks = webhooks;
        this.metrics = metrics;
        this.bounds = bounds;
        this.producer = producer;
        this.writing = new Semaphore(Math.max(1, maxConcurrentWrites));
    }

    /**
     * Keeps the delivery the exchange's webhook refused (routes/refused-deliveries.camel.yaml), unless
     * there is nothing to keep (no delivery read yet, or a 408, 413 or 415). In an exchange of its
     * own: nothing that happens there changes the caller's answer, its log line or its metrics.
     */
    public void keep(Exchange exchange) {
        WebhookDelivery delivery = exchange.getVariable(WebhookRequests.DELIVERY_VARIABLE, WebhookDelivery.class);
        WebhookRejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, WebhookRejection.class);
        if (delivery == null || rejection == null || NOT_KEPT.contains(rejection.getStatus())) {
            return;
        }
        boolean authenticated = Boolean.TRUE.equals(exchange.getProperty(Refusal.AUTHENTICATED_PROPERTY, Boolean.class));
        keepDelivery(delivery, rejection.getStatus(), rejection.getMessage() == null ? "refused" : rejection.getMessage(), authenticated);
    }

    /**
     * Keeps a delivery refused with {@code status} and {@code message}: by its webhook's route (above),
     * or by the public port for a webhook no route served (not authenticated: no check ran).
     */
    public void keepDelivery(WebhookDelivery delivery, int status, String message, boolean authenticated) {
        Refusal refusal = new Refusal(status, WebhookMetrics.reasonFor(status).label(), message, authenticated);
        // A flood of refused requests holds a few pooled connections at most; past a short wait (a
        // burst of genuine ones, a token being rotated) the rest are not kept (counted) rather than
        // queue ahead of the deliveries that pass. (Not Camel's throttle: one in concurrent mode
        // breaks the console's dump of the routes.)
        if (!turnToWrite()) {
            metrics.dropped(delivery.route(), refusal.reason(), RefusedDeliveryMetrics.NOT_KEPT, 1);
            return;
        }
        try {
            producer.send(KEEP, kept -> {
                kept.setVariable(WebhookRequests.DELIVERY_VARIABLE, delivery);
                kept.setVariable(Refusal.VARIABLE, refusal);
                // The intake spool counts what it keeps for the webhook the delivery came in on.
                kept.setProperty(WebhookMetrics.ROUTE_PROPERTY, delivery.route());
            });
        } finally {
            writing.release();
        }
    }

    /**
     * A document in the intake spool that failed its MAC (the variable document), as the refused
     * delivery it is set aside as (the variable spooled): what it claims to be when it names one of
     * this service's webhooks, else the whole document under webhook {@value #FORGED_WEBHOOK}. Not
     * authenticated, so a replay puts it through its webhook's checks, signature included; named by
     * the document's hash, so one drained twice is kept once.
     */
    public SpooledDelivery forged(@Variable("document") byte[] document) {
        String id = "forged:" + IntakeSpool.sha256(document);
        Refusal refusal = new Refusal(403, FORGED_REASON, new ForgedSpoolDocumentException().getMessage(), false);
        WebhookDelivery delivery = spool.claimed(document)
                .filter(claimed -> webhooks.ids().contains(claimed.route()))
                .map(WebhookDelivery::withoutCredentials)
                .orElseGet(() -> new WebhookDelivery(FORGED_WEBHOOK, "", Map.of(), document, Instant.now()));
        return new SpooledDelivery(id, delivery, refusal);
    }

    private boolean turnToWrite() {
        try {
            return writing.tryAcquire(WAIT_TO_WRITE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The refused_deliveries row of a delivery refused now, under a new id. */
    public Map<String, Object> rowOfRefused(@Variable(WebhookRequests.DELIVERY_VARIABLE) WebhookDelivery delivery,
                                   @Variable(Refusal.VARIABLE) Refusal refusal) throws JsonProcessingException {
        return row(UUID.randomUUID().toString(), delivery.withoutCredentials(), refusal);
    }

    /** The row of a refused delivery the intake spool kept while the database was down, under its spool id (kept once). */
    public Map<String, Object> rowOfSpooled(@Variable(SPOOLED) SpooledDelivery spooled)
            throws JsonProcessingException {
        return row(spooled.id(), spooled.delivery().withoutCredentials(), spooled.refusal());
    }

    private Map<String, Object> row(String id, WebhookDelivery delivery, Refusal refusal) throws JsonProcessingException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("webhook", delivery.route());
        row.put("pathAndQuery", delivery.pathAndQuery());
        row.put("headers", objectMapper.writeValueAsString(IntakeSpool.keptHeaders(delivery)));
        row.put("body", delivery.body());
        row.put("receivedAt", delivery.receivedAtUtc());
        row.put("status", refusal.status());
        row.put("reason", refusal.reason());
        row.put("message", refusal.message());
        row.put("authenticated", refusal.authenticated());
        return row;
    }

    /** A row was written (or was there already): counted, and its size told to the bounds. */
    public void kept(Map<String, Object> row) {
        String webhook = (String) row.get("webhook");
        String reason = (String) row.get("reason");
        metrics.kept(webhook, reason);
        bounds.kept(webhook, reason, ((byte[]) row.get("body")).length);
    }

    /** Neither the database nor the spool took it: the caller's answer stays; the loss is counted. */
    public void notKept(@Variable(WebhookRequests.DELIVERY_VARIABLE) WebhookDelivery delivery,
                        @Variable(Refusal.VARIABLE) Refusal refusal) {
        metrics.dropped(delivery.route(), refusal.reason(), RefusedDeliveryMetrics.NOT_KEPT, 1);
    }

    /**
     * A kept delivery back as the intake spool would hold it, to replay through the spooled
     * delivery's routes (the refused id is its intake_ledger key, so it is applied once).
     */
    public SpooledDelivery spooled(String id, Map<String, Object> row) throws JsonProcessingException {
        Map<String, String> headers = objectMapper.readValue((String) row.get("headers"), HEADERS);
        Instant receivedAt = row.get("received_at") instanceof Timestamp time ? time.toInstant()
                : ((OffsetDateTime) row.get("received_at")).toInstant();
        WebhookDelivery delivery = new WebhookDelivery((String) row.get("webhook"), (String) row.get("path_and_query"),
                headers, (byte[]) row.get("body"), receivedAt);
        Refusal refusal = new Refusal(((Number) row.get("status")).intValue(), (String) row.get("reason"),
                (String) row.get("message"), Boolean.TRUE.equals(row.get("authenticated")));
        return new SpooledDelivery(id, delivery, refusal);
    }

    /** A replay's outcome counted: {@value #APPLIED}, or the refusal it got again. */
    public void replayed(SpooledDelivery spooled, String outcome) {
        metrics.replayed(spooled.route(), spooled.refusal().reason(), APPLIED.equals(outcome));
    }

    /** What a trim removed (rows of webhook, reason, why, count), counted; what it left told to the bounds. */
    public void trimmed(List<Map<String, Object>> rows) {
        List<Map<String, Object>> left = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            if (LEFT.equals(row.get("why"))) {
                left.add(row);
            } else {
                metrics.dropped((String) row.get("webhook"), (String) row.get("reason"), (String) row.get("why"),
                        ((Number) row.get("count")).longValue());
            }
        }
        bounds.trimmed(left);
    }

    /** A trim begins (what is kept from now on is counted for the next): the bounds, as its SQL takes them. */
    public Map<String, Object> startTrim() {
        bounds.trimStarting();
        return Map.of("maxCount", bounds.maxCount(), "maxBytes", bounds.maxBytes(),
                "retentionSeconds", bounds.retention().toSeconds());
    }

}
