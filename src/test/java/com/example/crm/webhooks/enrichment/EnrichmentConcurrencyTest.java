package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** No more than enrichment.max-concurrency calls to Reverse Contact are in flight at once. */
class EnrichmentConcurrencyTest extends WebhookServiceTest {

    @Autowired
    private EnrichmentSettings settings;

    @Test
    void callsToReverseContactAreCapped() {
        TestInfrastructure.thirdParties().stubFor(post(urlEqualTo("/v2/fetch/persons"))
                .willReturn(okJson("{\"success\":true,\"data\":{\"headline\":\"h\"}}").withFixedDelay(300)));
        int jobs = settings.maxConcurrency() * 3;
        jdbc.update("""
                insert into people (id, linkedin_url)
                select 'p-' || n, 'https://www.linkedin.com/in/p-' || n from generate_series(1, ?) n""", jobs);
        jdbc.update("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url)
                select 'person', id, linkedin_url from people""");

        await().atMost(Duration.ofSeconds(30)).until(() -> db.count("people") == jdbc.queryForObject(
                "select count(*) from people where headline = 'h'", Integer.class));

        List<ServeEvent> calls = TestInfrastructure.thirdParties().getAllServeEvents();
        assertThat(calls).hasSize(jobs);
        // Parallel (more than one at a time), and never more than the cap.
        assertThat(maxInFlight(calls)).isBetween(2, settings.maxConcurrency());
    }

    /** The largest number of requests whose [received, received + served) intervals overlap. */
    private static int maxInFlight(List<ServeEvent> calls) {
        List<long[]> edges = new ArrayList<>();
        for (ServeEvent call : calls) {
            long start = call.getRequest().getLoggedDate().getTime();
            edges.add(new long[] {start, 1});
            edges.add(new long[] {start + call.getTiming().getTotalTime(), -1});
        }
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1])); // ends before starts
        int inFlight = 0;
        int max = 0;
        for (long[] edge : edges) {
            inFlight += (int) edge[1];
            max = Math.max(max, inFlight);
        }
        return max;
    }
}
