package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.edge.WebhookMetricsTest;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The gauges of OperationsCounts: enrichment jobs by state and open dead letters, in /actuator/prometheus. */
class EnrichmentGaugesTest extends WebhookServiceTest {

    @LocalServerPort
    private int managementPort;

    @Test
    void gaugesCountEnrichmentJobsByStateAndOpenDeadLetters() {
        try (EnrichmentPause paused = EnrichmentPause.of(camelContext)) {
            gaugesCountTheRowsInserted();
        }
    }

    private void gaugesCountTheRowsInserted() {
        jdbc.update("insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state) values "
                + "('j1', 'person', 'p1', 'https://www.linkedin.com/in/a', 'pending'), "
                + "('j2', 'person', 'p2', 'https://www.linkedin.com/in/b', 'dead'), "
                + "('j3', 'person', 'p3', 'https://www.linkedin.com/in/c', 'dead'), "
                + "('j4', 'company', 'c1', 'https://www.linkedin.com/company/d', 'done')");
        jdbc.update("insert into dead_letters (id, route_id, job_id, error, replayed_at) values "
                + "('d1', 'enrichment', 'j2', 'boom', null), ('d2', 'enrichment', 'j3', 'boom', null), "
                + "('d3', 'enrichment', 'j3', 'older boom', now())");

        String metrics = scrape();
        assertThat(WebhookMetricsTest.value(metrics, "enrichment_jobs", "state=\"pending\"")).isEqualTo(1);
        assertThat(WebhookMetricsTest.value(metrics, "enrichment_jobs", "state=\"dead\"")).isEqualTo(2);
        assertThat(WebhookMetricsTest.value(metrics, "enrichment_jobs", "state=\"done\"")).isEqualTo(1);
        assertThat(WebhookMetricsTest.value(metrics, "enrichment_jobs", "state=\"running\"")).isEqualTo(0);
        assertThat(WebhookMetricsTest.value(metrics, "dead_letters_unreplayed", "")).isEqualTo(2);
    }

    private String scrape() {
        HttpResponse<String> response = ManagementClient.operator(managementPort).get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
