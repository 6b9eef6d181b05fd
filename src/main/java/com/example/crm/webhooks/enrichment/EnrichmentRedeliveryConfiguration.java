package com.example.crm.webhooks.enrichment;

import org.apache.camel.LoggingLevel;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How a brief fault is redelivered within one enrichment attempt ({@code enrichment.redelivery.*}):
 * the one policy that routes/enrichment-errors.camel.yaml's clauses for faults that may pass refer
 * to as {@code redeliveryPolicyRef: enrichmentRedelivery}.
 */
@Configuration(proxyBeanMethods = false)
class EnrichmentRedeliveryConfiguration {

    @Bean("enrichmentRedelivery")
    RedeliveryPolicy enrichmentRedelivery(@Value("${enrichment.redelivery.maximum-redeliveries}") int maximumRedeliveries,
                                          @Value("${enrichment.redelivery.delay}") long delayMillis) {
        RedeliveryPolicy policy = new RedeliveryPolicy();
        policy.setMaximumRedeliveries(maximumRedeliveries);
        policy.setRedeliveryDelay(delayMillis);
        policy.setUseExponentialBackOff(true);
        policy.setBackOffMultiplier(2);
        policy.setRetryAttemptedLogLevel(LoggingLevel.INFO);
        // The job's reschedule or dead letter logs what became of it, once.
        policy.setLogExhausted(false);
        return policy;
    }
}
