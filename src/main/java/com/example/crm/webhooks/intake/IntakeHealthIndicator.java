package com.example.crm.webhooks.intake;

import java.util.Optional;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code intake} in health and readiness: UP while a webhook's delivery can be kept durably, in the
 * database or, while the database does not answer, in the intake spool (R2 or the spool
 * directory), so a load balancer keeps sending; DOWN only when neither can take it (R2 does not
 * answer and the directory cannot be written or its disk is full, or the spool is at a bound), the
 * reason in the details. The details say too: the state (normal, spooling, draining), how many
 * deliveries wait and since when.
 */
@Component
public class IntakeHealthIndicator implements HealthIndicator {

    private final IntakeStatus intake;
    private final IntakeSpoolGuard guard;

    public IntakeHealthIndicator(IntakeStatus intake, IntakeSpoolGuard guard) {
        this.intake = intake;
        this.guard = guard;
    }

    @Override
    public Health health() {
        boolean databaseAnswers = intake.databaseAnswers();
        Optional<String> noSpool = databaseAnswers ? Optional.empty() : guard.whyNoSpoolTakes();
        Health.Builder health = noSpool.isEmpty() ? Health.up() : Health.down();
        health.withDetail("state", intake.state())
                .withDetail("spoolDepth", intake.depth())
                .withDetail("spoolBytes", intake.bytes())
                .withDetail("oldestSpooledSeconds", intake.oldestAge().toSeconds())
                .withDetail("spoolClients", guard.clients());
        if (!databaseAnswers) {
            Boolean r2 = intake.r2Answers();
            health.withDetail("r2", r2 == null ? "unknown" : r2 ? "up" : "down")
                    .withDetail("spoolDirectory", !intake.directoryWritable() ? "not writable"
                            : guard.directoryHasRoom() ? "writable" : "disk full");
        }
        noSpool.ifPresent(reason -> health.withDetail("reason", reason));
        return health.build();
    }
}
