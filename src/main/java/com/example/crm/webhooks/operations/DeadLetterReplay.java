package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.enrichment.EnrichmentQueue;
import com.example.crm.webhooks.enrichment.EnrichmentQueue.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * What operators do with dead letters, from the management endpoint ({@link DeadLettersEndpoint}),
 * the console ({@link DeadLettersMBean}), or the route {@code direct:replay-dead-letter}: list them
 * and replay them, once each. The replays themselves are routes of routes/dead-letters.camel.yaml:
 * an enrichment job's letter puts the job back in the queue ({@code replay-job-dead-letters}), a
 * spooled delivery's is applied again ({@code replay-spooled-dead-letter}; still refused, it stays
 * open). The gauges count again after.
 */
@Service("deadLetterReplay")
public class DeadLetterReplay {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);
    private static final String REPLAY_JOBS = "direct:replay-job-dead-letters";
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
        List<String> replayed = replayJobs(id);
        if (replayed.isEmpty() && replaySpooled(id)) {
            replayed.add(id);
        }
        counts.refresh();
        return replayed;
    }

    /** Replays every open dead letter; returns the ids of those replayed. */
    public List<String> replayAll() {
        List<String> replayed = replayJobs(null);
        for (String id : queue.openSpooledDeadLetters()) {
            if (replaySpooled(id)) {
                replayed.add(id);
            }
        }
        counts.refresh();
        return replayed;
    }

    /** The jobs' letters replayed: one ({@code id}) or, for null, every open one. */
    private List<String> replayJobs(String id) {
        List<?> rows = producer.requestBody(REPLAY_JOBS, id, List.class);
        List<String> replayed = new ArrayList<>();
        for (Object row : rows) {
            replayed.add((String) ((Map<?, ?>) row).get("id"));
        }
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
