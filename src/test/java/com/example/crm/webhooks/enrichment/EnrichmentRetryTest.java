package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.operations.DeadLetterReplay;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * Retries: a brief 5xx or dropped connection is redelivered at once, within the attempt; one that
 * outlasts the redeliveries, and a 429 (with its Retry-After), puts the job back in the queue for
 * later; other 4xx (but 401-403 and 404: EnrichmentPauseOnRefusalTest, ReverseContactAnswersTest) and
 * malformed answers dead-letter it at once; the last attempt dead-letters it;
 * a dead letter can be replayed once. (Tests run with max-attempts 6, a 20 ms initial backoff and
 * 20 ms between redeliveries.)
 */
class EnrichmentRetryTest extends WebhookServiceTest {

    private static final String ADA_URL = "https://www.linkedin.com/in/ada-lovelace";
    private static final String PROFILE = "{\"success\":true,\"data\":{\"headline\":\"Mathematician\"}}";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    private ObjectMapper objectMapper;

    @Autowired
    private DeadLetterReplay deadLetters;

    @Autowired
    private EnrichmentSettings settings;

    @Autowired
    private Environment environment;

    private final WireMockServer thirdParties = TestInfrastructure.thirdParties();

    @BeforeEach
    void aPersonToEnrich() {
        jdbc.update("insert into people (id, linkedin_url) values ('p-1', ?)", ADA_URL);
    }

    @Test
    void a429WaitsItsRetryAfterInTheQueue() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("rate limited").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1").withBody("slow down"))
                .willSetStateTo("recovered"));
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("rate limited").whenScenarioStateIs("recovered")
                .willReturn(okJson(PROFILE)));

        queueJob();

        // After the 429 the job waits the Retry-After (1 s), not the 20 ms backoff, and no redelivery
        // calls again meanwhile.
        await().atMost(WAIT).until(() -> jdbc.queryForObject(
                "select coalesce(last_error like 'HTTP 429%', false) from enrichment_jobs", Boolean.class));
        assertThat(jdbc.queryForMap("""
                select state, attempts, extract(epoch from next_attempt_at - updated_at) as wait_seconds
                  from enrichment_jobs"""))
                .containsEntry("state", "pending").containsEntry("attempts", 1)
                .hasEntrySatisfying("wait_seconds", wait -> assertThat(((Number) wait).doubleValue()).isBetween(1.0, 1.1));
        thirdParties.verify(1, postRequestedFor(urlEqualTo("/v2/fetch/persons")));

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(2);
        assertThat(jdbc.queryForObject("select headline from people", String.class)).isEqualTo("Mathematician");
        assertThat(db.count("dead_letters")).isZero();
        thirdParties.verify(2, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
    }

    @Test
    void aBrief5xxIsRedeliveredWithinTheAttempt() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("blip").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503).withBody("maintenance")).willSetStateTo("recovered"));
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("blip").whenScenarioStateIs("recovered")
                .willReturn(okJson(PROFILE)));

        queueJob();

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForMap("select attempts, last_error from enrichment_jobs"))
                .containsEntry("attempts", 1).containsEntry("last_error", null);
        thirdParties.verify(2, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
    }

    @Test
    void a5xxThatOutlastsTheRedeliveriesWaitsInTheQueue() {
        int calls = 1 + redeliveries();
        for (int call = 0; call < calls; call++) {
            thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("down").whenScenarioStateIs(call == 0 ? STARTED : "call " + call)
                    .willReturn(aResponse().withStatus(502).withBody("bad gateway")).willSetStateTo("call " + (call + 1)));
        }
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("down").whenScenarioStateIs("call " + calls)
                .willReturn(okJson(PROFILE)));

        queueJob();

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(2);
        assertThat(db.count("dead_letters")).isZero();
        thirdParties.verify(calls + 1, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
    }

    @Test
    void deadLettersAfterTheLastAttemptAndReplaysOnce() throws Exception {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons"))
                .willReturn(aResponse().withStatus(502).withBody("bad gateway")));

        String jobId = queueJob();

        await().atMost(WAIT).until(() -> "dead".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        // Each attempt: the call and its redeliveries.
        thirdParties.verify(settings.maxAttempts() * (1 + redeliveries()), postRequestedFor(urlEqualTo("/v2/fetch/persons")));
        Map<String, Object> letter = jdbc.queryForMap("select id, route_id, job_id, payload::text as payload, error, replayed_at from dead_letters");
        assertThat(letter).containsEntry("route_id", "enrich-job").containsEntry("job_id", jobId).containsEntry("replayed_at", null);
        assertThat((String) letter.get("error")).startsWith("HTTP 502 from ").contains("/v2/fetch/persons").contains("bad gateway");
        JsonNode payload = objectMapper.readTree((String) letter.get("payload"));
        assertThat(payload.path("id").asText()).isEqualTo(jobId);
        assertThat(payload.path("entity_type").asText()).isEqualTo("person");
        assertThat(payload.path("linkedin_url").asText()).isEqualTo(ADA_URL);
        assertThat(payload.path("attempts").asInt()).isEqualTo(settings.maxAttempts());

        thirdParties.resetAll();
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson(PROFILE)));
        String letterId = (String) letter.get("id");
        assertThat(deadLetters.replay(letterId)).containsExactly(letterId);

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select headline from people", String.class)).isEqualTo("Mathematician");
        assertThat(jdbc.queryForObject("select replayed_at is not null from dead_letters", Boolean.class)).isTrue();

        var before = db.snapshot();
        assertThat(deadLetters.replay(letterId)).isEmpty();
        assertThat(deadLetters.replay("no-such-letter")).isEmpty();
        assertThat(deadLetters.replayAll()).isEmpty();
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void theReplayRouteReplaysToo() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"success\":false,\"error\":\"Invalid URL\"}")));
        queueJob();
        await().atMost(WAIT).until(() -> db.count("dead_letters") == 1);
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson(PROFILE)));

        String letterId = jdbc.queryForObject("select id from dead_letters", String.class);
        Object replayed = camelContext.createProducerTemplate().requestBody("direct:replay-dead-letter", letterId);

        assertThat(replayed).isEqualTo(List.of(letterId));
        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
    }

    @Test
    void anotherClientErrorIsDeadLetteredAtOnce() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"success\":false,\"error\":{\"message\":\"Invalid URL\",\"code\":\"invalid_url\"}}")));

        queueJob();

        await().atMost(WAIT).until(() -> db.count("dead_letters") == 1);
        assertThat(jdbc.queryForMap("select state, attempts from enrichment_jobs"))
                .isEqualTo(Map.of("state", "dead", "attempts", 1));
        assertThat(jdbc.queryForObject("select error from dead_letters", String.class))
                .startsWith("HTTP 400").endsWith(": Invalid URL (invalid_url)");
        thirdParties.verify(1, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
    }

    @Test
    void aMalformedAnswerIsDeadLetteredAtOnce() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(okJson("{\"success\":true,\"data\":\"nope\"}")));

        queueJob();

        await().atMost(WAIT).until(() -> db.count("dead_letters") == 1);
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select error from dead_letters", String.class)).contains("without a data object");
        assertThat(jdbc.queryForObject("select headline from people", String.class)).isNull();
    }

    @Test
    void anAnswerThatIsNotJsonIsDeadLetteredAtOnce() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>login</html>")));

        queueJob();

        await().atMost(WAIT).until(() -> db.count("dead_letters") == 1);
        assertThat(jdbc.queryForObject("select error from dead_letters", String.class)).contains("invalid JSON");
    }

    @Test
    void aConnectionErrorIsRetried() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("reset").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER))
                .willSetStateTo("up"));
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons")).inScenario("reset").whenScenarioStateIs("up")
                .willReturn(okJson(PROFILE)));

        queueJob();

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(1);
        assertThat(db.count("dead_letters")).isZero();
        thirdParties.verify(2, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
    }

    private int redeliveries() {
        return environment.getRequiredProperty("enrichment.redelivery.maximum-redeliveries", Integer.class);
    }

    private String queueJob() {
        return jdbc.queryForObject("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('person', 'p-1', ?)
                returning id""", String.class, ADA_URL);
    }
}
