package com.example.crm.webhooks.enrichment;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The enrichment pipeline's knobs ({@code enrichment.*} in application.yaml, each behind an
 * environment variable). docs/enrichment.md explains them.
 *
 * @param pollInterval       how often an instance looks for due jobs
 * @param batchSize          jobs one instance claims per poll
 * @param maxConcurrency     jobs one instance runs at the same time, i.e. parallel calls to Reverse Contact
 * @param lease              how long a claimed job is ours; after that another instance may take it over
 * @param maxAttempts        attempts before a job goes to the dead letters
 * @param retryInitialDelay  wait after the first failed attempt
 * @param retryMultiplier    each further wait is this many times the previous one
 * @param retryMaxDelay      no wait is longer
 */
@ConfigurationProperties("enrichment")
public record EnrichmentSettings(
        Duration pollInterval,
        int batchSize,
        int maxConcurrency,
        Duration lease,
        int maxAttempts,
        Duration retryInitialDelay,
        double retryMultiplier,
        Duration retryMaxDelay) {

    /** The wait before the next attempt once {@code attemptsSoFar} attempts have failed. */
    public Duration backoffAfter(int attemptsSoFar) {
        double millis = retryInitialDelay.toMillis() * Math.pow(retryMultiplier, Math.max(0, attemptsSoFar - 1));
        return Duration.ofMillis((long) Math.min(millis, retryMaxDelay.toMillis()));
    }
}
