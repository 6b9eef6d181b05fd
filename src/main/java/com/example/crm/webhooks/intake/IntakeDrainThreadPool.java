package com.example.crm.webhooks.intake;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The Camel thread pool profile {@value #PROFILE} the R2 drain applies spooled deliveries on,
 * {@code intake.drain-concurrency} at a time: a spool filled during a long outage empties in a
 * fraction of the time one at a time would take (each costs two calls to R2 and a transaction).
 * The pass waits for all of them ({@code synchronous=true} on its timer), so the queue stays short.
 */
@Component
public class IntakeDrainThreadPool implements CamelContextConfiguration {

    static final String PROFILE = "intakeDrainThreadPool";

    private final int concurrency;

    public IntakeDrainThreadPool(@Value("${intake.drain-concurrency}") int concurrency) {
        this.concurrency = Math.max(1, concurrency);
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        ThreadPoolProfile profile = new ThreadPoolProfile(PROFILE);
        profile.setPoolSize(concurrency);
        profile.setMaxPoolSize(concurrency);
        profile.setMaxQueueSize(-1);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns);
        camelContext.getExecutorServiceManager().registerThreadPoolProfile(profile);
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
        // nothing to do once running
    }
}
