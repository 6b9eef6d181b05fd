package com.example.crm.webhooks.enrichment;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The retry rules of routes/enrichment.camel.yaml as written there: which HTTP and R2 statuses are
 * worth another attempt. (The pipeline tests exercise them end to end for Reverse Contact; an R2
 * server error cannot be provoked from s3proxy, so its rule is checked here.)
 */
class EnrichmentErrorRulesTest extends WebhookServiceTest {

    @Test
    void rateLimitsAndServerErrorsOfReverseContactAreRetried() {
        Predicate retryable = onWhen("on-enrichment-http-failure");
        assertThat(retryable.matches(failedWith(new HttpOperationFailedException("u", 429, "", null, Map.of(), "")))).isTrue();
        assertThat(retryable.matches(failedWith(new HttpOperationFailedException("u", 500, "", null, Map.of(), "")))).isTrue();
        assertThat(retryable.matches(failedWith(new HttpOperationFailedException("u", 503, "", null, Map.of(), "")))).isTrue();
        assertThat(retryable.matches(failedWith(new HttpOperationFailedException("u", 400, "", null, Map.of(), "")))).isFalse();
        assertThat(retryable.matches(failedWith(new HttpOperationFailedException("u", 401, "", null, Map.of(), "")))).isFalse();
        assertThat(retryable.matches(failedWith(new HttpOperationFailedException("u", 404, "", null, Map.of(), "")))).isFalse();
    }

    @Test
    void serverErrorsOfR2AreRetriedButNotRefusals() {
        Predicate retryable = onWhen("on-r2-unavailable");
        assertThat(retryable.matches(failedWith(S3Exception.builder().statusCode(503).message("slow down").build()))).isTrue();
        assertThat(retryable.matches(failedWith(S3Exception.builder().statusCode(500).build()))).isTrue();
        assertThat(retryable.matches(failedWith(S3Exception.builder().statusCode(403).build()))).isFalse();
        assertThat(retryable.matches(failedWith(S3Exception.builder().statusCode(404).build()))).isFalse();
    }

    private Predicate onWhen(String onExceptionId) {
        OnExceptionDefinition clause = camelContext.getCamelContextExtension().getContextPlugin(ModelCamelContext.class)
                .getRouteConfigurationDefinition("enrichment-errors").getOnExceptions().stream()
                .filter(definition -> onExceptionId.equals(definition.getId()))
                .findFirst().orElseThrow();
        Predicate predicate = camelContext.resolveLanguage("simple")
                .createPredicate(clause.getOnWhen().getExpression().getExpression());
        predicate.init(camelContext);
        return predicate;
    }

    private Exchange failedWith(Exception exception) {
        Exchange exchange = new DefaultExchange(camelContext);
        exchange.setException(exception);
        return exchange;
    }
}
