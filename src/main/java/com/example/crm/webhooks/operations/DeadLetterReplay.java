package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.enrichment.EnrichmentQueue;
import com.example.crm.webhooks.enrichment.EnrichmentQueue.DeadLetter;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * What operators do with dead letters, from the management endpoint ({@link DeadLettersEndpoint})
 * or the route {@code direct:replay-dead-letter}: list them and replay them, once each
 * ({@link EnrichmentQueue#replay}). The gauges count again after a replay.
 */
@Service("deadLetterReplay")
public class DeadLetterReplay {

    private final EnrichmentQueue queue;
    private final OperationsCounts counts;

    public DeadLetterReplay(EnrichmentQueue queue, OperationsCounts counts) {
        this.queue = queue;
        this.counts = counts;
    }

    /** Newest first; {@code includeReplayed} false lists only the open ones. */
    public List<DeadLetter> list(int limit, int offset, boolean includeReplayed) {
        return queue.deadLetters(limit, offset, includeReplayed);
    }

    public long countOpen() {
        return queue.openDeadLetters();
    }

    /** Replays one dead letter; returns its id, or nothing if it does not exist or was replayed before. */
    public List<String> replay(String id) {
        List<String> replayed = queue.replay(id);
        counts.refresh();
        return replayed;
    }

    /** Replays every open dead letter; returns their ids. */
    public List<String> replayAll() {
        List<String> replayed = queue.replay(null);
        counts.refresh();
        return replayed;
    }
}
