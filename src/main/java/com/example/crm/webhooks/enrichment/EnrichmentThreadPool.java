package com.example.crm.webhooks.enrichment;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.springframework.stereotype.Component;

/**
 * The Camel thread pool profile {@value #PROFILE} the enrichment route's split runs jobs on:
 * exactly {@code enrichment.max-concurrency} workers, which is the cap on calls to Reverse Contact
 * (and R2) per instance: the timer waits for its batch ({@code synchronous=true}), so nothing else
 * runs jobs. (Not a {@code throttle} EIP: in ConcurrentRequests mode it breaks Camel's
 * dumpRoutesAsXml, which the console's route diagram calls.) A Camel profile rather
 * than a Spring executor bean, so Spring Boot's own task executor, which serves the HTTP routes,
 * stays as it is.
 */
@Component
public class EnrichmentThreadPool implements CamelContextConfiguration {

    static final String PROFILE = "enrichmentThreadPool";

    private final EnrichmentSettings settings;

    public EnrichmentThreadPool(EnrichmentSettings settings) {
        this.settings = settings;
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        int size = Math.max(1, settings.maxConcurrency());
        ThreadPoolProfile profile = new ThreadPoolProfile(PROFILE);
        profile.setPoolSize(size);
        profile.setMaxPoolSize(size);
        profile.setMaxQueueSize(-1); // a batch never exceeds enrichment.batch-size: the queue stays short
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns);
        camelContext.getExecutorServiceManager().registerThreadPoolProfile(profile);
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do once running
    }
}
