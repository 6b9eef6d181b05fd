package com.example.crm.webhooks.intake;

import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.PollingConsumerPollStrategy;
import org.springframework.stereotype.Component;

/**
 * The spool directory's drain polls only while the database answers: a delivery read while it does
 * not would only fail and be read again. While it answers, each poll also removes what crashed
 * writes left, and, with the spool seen empty, ends the outage's per-client shares
 * ({@link IntakeSpoolGuard}). (The poll strategy of routes/intake.camel.yaml's drain-directory-spool.)
 */
@Component("drainWhileDatabaseAnswers")
public class DrainWhileDatabaseAnswers implements PollingConsumerPollStrategy {

    private final IntakeStatus intake;
    private final IntakeSpoolGuard guard;

    public DrainWhileDatabaseAnswers(IntakeStatus intake, IntakeSpoolGuard guard) {
        this.intake = intake;
        this.guard = guard;
    }

    @Override
    public boolean begin(Consumer consumer, Endpoint endpoint) {
        if (!intake.databaseAnswers()) {
            return false;
        }
        guard.removeStaleWrites();
        if (intake.depth() == 0) {
            guard.spoolDrained();
        }
        return true;
    }

    @Override
    public void commit(Consumer consumer, Endpoint endpoint, int polledMessages) {
        // nothing to do: each file is deleted by its own exchange once applied
    }

    @Override
    public boolean rollback(Consumer consumer, Endpoint endpoint, int retryCounter, Exception cause) {
        return false; // the next poll tries again
    }
}
