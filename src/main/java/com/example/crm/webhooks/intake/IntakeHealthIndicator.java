package com.example.crm.webhooks.intake;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code intake} in health and readiness: UP while a webhook's delivery can be kept durably, in the
 * database or, while the database does not answer, in the intake spool (R2 or the spool
 * directory), so a load balancer keeps sending; DOWN only when neither can take it. The details
 * say which: the state (normal, spooling, draining), how many deliveries wait and since when.
 */
@Component
public class IntakeHealthIndicator implements HealthIndicator {

    private final IntakeStatus intake;

    public IntakeHealthIndicator(IntakeStatus intake) {
        this.intake = intake;
    }

    @Override
    public Health health() {
        boolean databaseAnswers = intake.databaseAnswers();
        Health.Builder health = databaseAnswers || intake.spoolAvailable() ? Health.up() : Health.down();
        health.withDetail("state", intake.state())
                .withDetail("spoolDepth", intake.depth())
                .withDetail("oldestSpooledSeconds", intake.oldestAge().toSeconds());
        if (!databaseAnswers) {
            Boolean r2 = intake.r2Answers();
            health.withDetail("r2", r2 == null ? "unknown" : r2 ? "up" : "down")
                    .withDetail("spoolDirectory", intake.directoryWritable() ? "writable" : "not writable");
        }
        return health.build();
    }
}
