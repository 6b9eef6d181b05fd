package com.example.crm.webhooks.reversecontact;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same resolve callback posted again and again, while its enrichment job is queued, running and
 * finished: one resolve_callbacks row, one job, one paid call to Reverse Contact (WireMock stands
 * in for it), for as long as the refresh period (ENRICHMENT_REFRESH_PERIOD, a day) lasts; after it,
 * the same callback fetches the profile again.
 */
class RepeatedResolveCallbackTest extends WebhookServiceTest {

    private static final String RESOLVE = "/api/webhooks/reversecontact/resolve?type=contact&id=ct-repeated";
    private static final String FETCH_PERSONS = "/v2/fetch/persons";
    private static final String URL = "https://www.linkedin.com/in/ada-repeated";
    private static final String CALLBACK = "{\"data\":{\"linkedinUrl\":\"" + URL + "\"}}";

    @BeforeEach
    void contactAndItsProfile() {
        jdbc.update("insert into contacts (id) values ('ct-repeated')");
        TestInfrastructure.thirdParties().stubFor(post(urlEqualTo(FETCH_PERSONS))
                .withRequestBody(equalToJson("{\"url\":\"" + URL + "\"}"))
                .willReturn(okJson("{\"success\":true,\"data\":{\"headline\":\"Analyst\"}}")));
    }

    @Test
    void theSameCallbackPosted71TimesQueuesOneJobAndCallsReverseContactOnce() throws Exception {
        assertThat(http.postJson(RESOLVE, CALLBACK).statusCode()).isEqualTo(200);
        // While the job is queued or running, then after it finished.
        postConcurrently(35);
        awaitJobsDone(1);
        postConcurrently(35);

        assertThat(db.count("resolve_callbacks")).isEqualTo(1);
        assertThat(db.count("enrichment_jobs")).isEqualTo(1);
        assertThat(fetches()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select headline from contacts where id = 'ct-repeated'", String.class))
                .isEqualTo("Analyst");
    }

    @Test
    void afterTheRefreshPeriodTheSameCallbackFetchesTheProfileAgain() {
        assertThat(http.postJson(RESOLVE, CALLBACK).statusCode()).isEqualTo(200);
        awaitJobsDone(1);
        jdbc.update("update enrichment_jobs set created_at = created_at - interval '1 day 1 minute'");

        assertThat(http.postJson(RESOLVE, CALLBACK).statusCode()).isEqualTo(200);

        awaitJobsDone(2);
        assertThat(fetches()).isEqualTo(2);
    }

    private void postConcurrently(int times) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> answers = IntStream.range(0, times)
                    .mapToObj(n -> callers.submit(() -> http.postJson(RESOLVE, CALLBACK).statusCode())).toList();
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    private void awaitJobsDone(int jobs) {
        await("enrichment done").atMost(Duration.ofSeconds(30)).until(() ->
                jdbc.queryForObject("select count(*) from enrichment_jobs where state = 'done' and outcome = 'enriched'",
                        Integer.class) == jobs);
    }

    private int fetches() {
        return TestInfrastructure.thirdParties().findAll(postRequestedFor(urlEqualTo(FETCH_PERSONS))).size();
    }
}
