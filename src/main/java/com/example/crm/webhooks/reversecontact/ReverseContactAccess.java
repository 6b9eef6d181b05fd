package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.logging.LogText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Whether Reverse Contact accepts this instance's API key and credits. A 401, 402 or 403 (key
 * revoked or wrong, credits exhausted) would be the answer to every job alike, so the first one
 * pauses enrichment on this instance rather than dead-lettering the queue job after job: the
 * enrichment route then claims no job but, every {@code enrichment.pause-probe-interval}, one job
 * as a probe; the probe's answer (a profile, or a 404) resumes. One WARN line when it pauses, one
 * INFO when it resumes.
 *
 * <p>The state is this instance's, in memory: each instance sharing the database finds the refusal
 * with its own first calls and pauses itself, and a restart (with a new key, say) starts unpaused.
 */
@Component("reverseContactAccess")
public class ReverseContactAccess {

    private static final Logger log = LoggerFactory.getLogger(ReverseContactAccess.class);
    private static final int MAX_REASON_LENGTH = 300;

    /** Why enrichment paused, since when, when the next probe may be claimed, and the lease of the current probe. */
    public record Pause(String reason, Instant since, Instant nextProbe, String probeLease) {
    }

    private final Duration probeInterval;
    private final Clock clock;
    private Pause pause;

    public ReverseContactAccess(@Value("${enrichment.pause-probe-interval}") Duration probeInterval) {
        this.probeInterval = probeInterval;
        this.clock = Clock.systemUTC();
    }

    /** Reverse Contact refused the key or credits ({@code failure}, its 401, 402 or 403): enrichment pauses. */
    public synchronized void refused(Throwable failure) {
        if (pause != null) {
            return; // a probe, or another job of the batch that paused it: already said
        }
        Instant now = clock.instant();
        pause = new Pause(reason(failure), now, now.plus(probeInterval), null);
        log.warn("Reverse Contact refused this instance's API key or credits ({}): enrichment is paused on this "
                + "instance, jobs wait in the queue; one job is tried every {} and enrichment resumes once Reverse "
                + "Contact accepts it (check REVERSECONTACT_API_KEY and the account's credits)", pause.reason(), probeInterval);
    }

    /**
     * Reverse Contact answered on its merits (a profile, or no profile found) the job claimed under
     * {@code leaseOwner}. If that job was the probe of the current pause, enrichment resumes; answers
     * to calls made before the pause began do not count.
     */
    public synchronized void accepted(String leaseOwner) {
        if (pause == null || pause.probeLease() == null || !pause.probeLease().equals(leaseOwner)) {
            return;
        }
        log.info("Reverse Contact accepts this instance's API key again: enrichment resumed after {}",
                Duration.between(pause.since(), clock.instant()).withNanos(0));
        pause = null;
    }

    /**
     * While paused: true, at most once per probe interval, when the claim under {@code leaseOwner}
     * may take one job as the probe. Not paused: false (the claim takes a whole batch).
     */
    public synchronized boolean takeProbe(String leaseOwner) {
        Instant now = clock.instant();
        if (pause == null || now.isBefore(pause.nextProbe())) {
            return false;
        }
        pause = new Pause(pause.reason(), pause.since(), now.plus(probeInterval), leaseOwner);
        return true;
    }

    public synchronized boolean isPaused() {
        return pause != null;
    }

    /** The current pause, for health and metrics. */
    public synchronized Optional<Pause> pause() {
        return Optional.ofNullable(pause);
    }

    private static String reason(Throwable failure) {
        if (failure instanceof HttpOperationFailedException http) {
            String message = ReverseContactErrors.message(http.getResponseBody());
            return LogText.escape("HTTP " + http.getStatusCode() + (message == null ? "" : ": " + message), MAX_REASON_LENGTH);
        }
        return LogText.escape(String.valueOf(failure), MAX_REASON_LENGTH);
    }
}
