package com.example.crm.webhooks.enrichment;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.apache.camel.CamelContext;

/**
 * Stops the enrichment poller of the one shared application for the length of a test, waiting for
 * the jobs its workers are running to finish, so no background job touches the tables the test is
 * looking at. Close it (try-with-resources or @AfterEach) to start the poller again.
 */
public final class EnrichmentPause implements AutoCloseable {

    private static final String POLLER = "enrichment-poll";
    private static final String JOB = "enrich-job";

    private final CamelContext camelContext;

    private EnrichmentPause(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    public static EnrichmentPause of(CamelContext camelContext) {
        try {
            camelContext.getRouteController().stopRoute(POLLER);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop " + POLLER, e);
        }
        // The poller hands jobs to workers without waiting for them: wait here.
        await("enrichment jobs in flight to finish").atMost(Duration.ofSeconds(60))
                .until(() -> camelContext.getInflightRepository().size(JOB) == 0);
        return new EnrichmentPause(camelContext);
    }

    @Override
    public void close() {
        try {
            camelContext.getRouteController().startRoute(POLLER);
        } catch (Exception e) {
            throw new IllegalStateException("could not start " + POLLER, e);
        }
    }
}
