package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.enrichment.EnrichmentQueue;
import com.example.crm.webhooks.reversecontact.ReverseContactAccess;
import java.time.Instant;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * The {@code enrichment} component of /actuator/health: UP, or PAUSED while Reverse Contact refuses
 * this instance's API key or credits ({@link ReverseContactAccess}), with the reason, since when and
 * the next probe as details (shown with the management login). PAUSED is not a status Spring's
 * aggregation knows, so it leaves the overall health UP, and readiness (/readyz) does not include
 * it: a paused instance still takes webhooks, and enrichment waits in the queue. While the poller
 * cannot reach the database, the detail {@code databaseUnavailableSince} says since when (the
 * {@code db} component is DOWN then too).
 */
@Component
public class EnrichmentHealthIndicator implements HealthIndicator {

    static final Status PAUSED = new Status("PAUSED");

    private final ReverseContactAccess reverseContact;
    private final EnrichmentQueue queue;

    public EnrichmentHealthIndicator(ReverseContactAccess reverseContact, EnrichmentQueue queue) {
        this.reverseContact = reverseContact;
        this.queue = queue;
    }

    @Override
    public Health health() {
        Health.Builder health = reverseContact.pause()
                .map(pause -> Health.status(PAUSED)
                        .withDetail("reason", "Reverse Contact refused this instance's API key or credits: " + pause.reason())
                        .withDetail("since", pause.since().toString())
                        .withDetail("nextProbe", pause.nextProbe().toString())
                        .withDetail("scope", "this instance"))
                .orElseGet(Health::up);
        Instant databaseDown = queue.databaseDownSince();
        if (databaseDown != null) {
            health.withDetail("databaseUnavailableSince", databaseDown.toString());
        }
        return health.build();
    }
}
