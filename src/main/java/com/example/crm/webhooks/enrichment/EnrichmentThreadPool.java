package com.example.crm.webhooks.enrichment;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.springframework.stereotype.Component;

/**
 * The workers that run enrichment jobs: exactly {@code enrichment.max-concurrency} threads, the cap
 * on calls to Reverse Contact (and R2) per instance. The poller hands each claimed job to them and
 * does not wait ({@code wireTap} with {@code executorService: enrichmentWorkers}), so a slow job
 * holds one worker, never the poller or the other jobs of its batch; and it claims only as many
 * jobs as there are idle workers ({@link #idleWorkers}), so no claimed job waits in a queue while
 * its lease runs, and none ever runs on the poller's thread.
 *
 * <p>One pool, made by Camel (so it is named, shown in the console and stopped with the context)
 * and put in Camel's registry as {@value #WORKERS}; not a Spring executor bean, so Spring Boot's
 * own task executor stays as it is. (Not a {@code throttle} EIP: in ConcurrentRequests mode it
 * breaks Camel's dumpRoutesAsXml, which the console's route diagram calls.)
 */
@Component
public class EnrichmentThreadPool implements CamelContextConfiguration {

    /** The name the enrichment route's wireTap knows the workers by. */
    static final String WORKERS = "enrichmentWorkers";

    private final EnrichmentSettings settings;
    private volatile ThreadPoolExecutor workers;

    public EnrichmentThreadPool(EnrichmentSettings settings) {
        this.settings = settings;
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        int size = Math.max(1, settings.maxConcurrency());
        ThreadPoolProfile profile = new ThreadPoolProfile(WORKERS);
        profile.setPoolSize(size);
        profile.setMaxPoolSize(size);
        // Room for a batch: the claim counts idle workers a moment before the jobs reach them.
        profile.setMaxQueueSize(Math.max(size, settings.batchSize()));
        // Never CallerRuns: a job on the poller's thread would hold up polling and the rest of its batch.
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        ExecutorService pool = camelContext.getExecutorServiceManager().newThreadPool(this, "enrichment-worker", profile);
        workers = (ThreadPoolExecutor) pool;
        camelContext.getRegistry().bind(WORKERS, ExecutorService.class, pool);
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do once running
    }

    /** Workers neither running a job nor about to: how many jobs the next claim may take. */
    public int idleWorkers() {
        ThreadPoolExecutor pool = workers;
        if (pool == null) {
            return 0;
        }
        return Math.max(0, pool.getMaximumPoolSize() - pool.getActiveCount() - pool.getQueue().size());
    }
}
