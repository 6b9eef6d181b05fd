package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.enrichment.EnrichmentQueue;
import com.example.crm.webhooks.enrichment.EnrichmentQueue.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * What operators do with dead letters, from the management endpoint ({@link DeadLettersEndpoint}),
 * the console, or the route {@code direct:replay-dead-letter}: list them and replay them, once each.
 * A dead letter is one of two kinds: an enrichment job that failed for good (replayed by putting
 * the job back in the queue, {@link EnrichmentQueue#replay}), or a delivery from the intake spool the
 * database refused (replayed by applying it again, routes/intake.camel.yaml's
 * {@code replay-spooled-dead-letter}; still refused, it stays open). The gauges count again after.
 */
@Service("deadLetterReplay")
public class DeadLetterReplay {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);
    private static final String REPLAY_SPOOLED = "direct:replay-spooled-dead-letter";

    private final EnrichmentQueue queue;
    private final OperationsCounts counts;
    private final ProducerTemplate producer;

    public DeadLetterReplay(EnrichmentQueue queue, OperationsCounts counts, ProducerTemplate producer) {
        this.queue = queue;
        this.counts = counts;
        this.producer = producer;
    }

    /** Newest first; {@code includeReplayed} false lists only the open ones. */
    public List<DeadLetter> list(int limit, int offset, boolean includeReplayed) {
        return queue.deadLetters(limit, offset, includeReplayed);
    }

    public long countOpen() {
        return queue.openDeadLetters();
    }

    /** Replays one dead letter; returns its id, or nothing if it does not exist, was replayed before, or is still refused. */
    public List<String> replay(String id) {
        List<String> replayed = new ArrayList<>(queue.replay(id));
        if (replayed.isEmpty() && replaySpooled(id)) {
            replayed.add(id);
        }
        counts.refresh();
        return replayed;
    }

    /** Replays every open dead letter; returns the ids of those replayed. */
    public List<String> replayAll() {
        List<String> replayed = new ArrayList<>(queue.replay(null));
        for (String id : queue.openSpooledDeadLetters()) {
            if (replaySpooled(id)) {
                replayed.add(id);
            }
        }
        counts.refresh();
        return replayed;
    }

    private boolean replaySpooled(String id) {
        try {
            return id.equals(producer.requestBody(REPLAY_SPOOLED, id, String.class));
        } catch (CamelExecutionException stillRefused) {
            log.info("Dead letter {} not replayed: {}", id, stillRefused.getCause() == null
                    ? stillRefused.getMessage() : stillRefused.getCause().getMessage());
            return false;
        }
    }
}
