package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.reversecontact.ReverseContactAccess;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

/**
 * The {@code enrichment} component of /actuator/health: UP, or PAUSED while Reverse Contact refuses
 * this instance's API key or credits ({@link ReverseContactAccess}), with the reason, since when and
 * the next probe as details (shown with the management login). PAUSED is not a status Spring's
 * aggregation knows, so it leaves the overall health UP, and readiness (/readyz) does not include
 * it: a paused instance still takes webhooks, and enrichment waits in the queue.
 */
@Component
public class EnrichmentHealthIndicator implements HealthIndicator {

    static final Status PAUSED = new Status("PAUSED");

    private final ReverseContactAccess reverseContact;

    public EnrichmentHealthIndicator(ReverseContactAccess reverseContact) {
        this.reverseContact = reverseContact;
    }

    @Override
    public Health health() {
        return reverseContact.pause()
                .map(pause -> Health.status(PAUSED)
                        .withDetail("reason", "Reverse Contact refused this instance's API key or credits: " + pause.reason())
                        .withDetail("since", pause.since().toString())
                        .withDetail("nextProbe", pause.nextProbe().toString())
                        .withDetail("scope", "this instance")
                        .build())
                .orElseGet(() -> Health.up().build());
    }
}
