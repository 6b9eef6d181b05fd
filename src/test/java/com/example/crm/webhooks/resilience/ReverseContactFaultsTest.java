package com.example.crm.webhooks.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.enrichment.EnrichmentSettings;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestDatabase;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reverse Contact misbehaving in the ways EnrichmentRetryTest does not cover: a 500, a 429 without
 * Retry-After, an answer slower than the read timeout, a connection dropped before or in the middle
 * of an answer. Each is retried and the next good answer is used: at once, within the attempt
 * (Camel's redelivery), but for the 429, which waits in the queue for a later attempt. A provider
 * that never answers in time ends in a dead letter after the last attempt. An instance of its own
 * with a read timeout of 500 ms (REVERSECONTACT_READ_TIMEOUT_MS), on a database of its own.
 */
class ReverseContactFaultsTest {

    private static final int READ_TIMEOUT_MILLIS = 500;
    private static final String URL = Faults.linkedinUrl("rc-faults-ada");
    private static final String PROFILE = Faults.profile("Mathematician", null);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ServiceInstance service;
    private static JdbcTemplate jdbc;

    enum Misbehaviour {
        SERVER_ERROR(aResponse().withStatus(500).withBody("internal error")),
        RATE_LIMITED_WITHOUT_RETRY_AFTER(aResponse().withStatus(429).withBody("too many requests")),
        SLOWER_THAN_THE_READ_TIMEOUT(okJson(PROFILE).withFixedDelay(READ_TIMEOUT_MILLIS * 4)),
        CONNECTION_CLOSED_WITHOUT_ANSWER(aResponse().withFault(Fault.EMPTY_RESPONSE)),
        CONNECTION_CLOSED_MID_ANSWER(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)),
        GARBAGE_INSTEAD_OF_HTTP(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));

        final ResponseDefinitionBuilder answer;

        Misbehaviour(ResponseDefinitionBuilder answer) {
            this.answer = answer;
        }
    }

    @BeforeAll
    static void startService() {
        service = ServiceInstance.start("reversecontact-faults", TestInfrastructure.newDatabase("reversecontact_faults"),
                Map.of("REVERSECONTACT_READ_TIMEOUT_MS", READ_TIMEOUT_MILLIS));
        jdbc = service.jdbc();
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @BeforeEach
    void emptyTablesAndStubs() {
        new TestDatabase(jdbc).truncateAll();
        Faults.thirdParties().resetAll();
        jdbc.update("insert into people (id) values ('p-ada')");
    }

    @ParameterizedTest
    @EnumSource(Misbehaviour.class)
    void aTransientFailureIsRetriedAndTheNextAnswerIsUsed(Misbehaviour misbehaviour) {
        Faults.thirdParties().stubFor(Faults.fetchPerson(URL).inScenario("once").whenScenarioStateIs(STARTED)
                .willReturn(misbehaviour.answer).willSetStateTo("recovered"));
        Faults.thirdParties().stubFor(Faults.fetchPerson(URL).inScenario("once").whenScenarioStateIs("recovered")
                .willReturn(okJson(PROFILE)));

        resolve();

        await().atMost(WAIT).until(() -> "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        int attempts = misbehaviour == Misbehaviour.RATE_LIMITED_WITHOUT_RETRY_AFTER ? 2 : 1;
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(attempts);
        assertThat(jdbc.queryForObject("select headline from people", String.class)).isEqualTo("Mathematician");
        assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        Faults.thirdParties().verify(2, postRequestedFor(urlEqualTo(Faults.FETCH_PERSONS)));
    }

    @Test
    void aProviderThatNeverAnswersInTimeEndsInADeadLetterAfterTheLastAttempt() {
        Faults.thirdParties().stubFor(Faults.fetchPerson(URL).willReturn(okJson(PROFILE).withFixedDelay(READ_TIMEOUT_MILLIS * 4)));

        resolve();

        await().atMost(WAIT).until(() -> "dead".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));
        int maxAttempts = service.bean(EnrichmentSettings.class).maxAttempts();
        int redeliveries = service.bean(Environment.class).getRequiredProperty("enrichment.redelivery.maximum-redeliveries", Integer.class);
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).isEqualTo(maxAttempts);
        assertThat(jdbc.queryForObject("select error from dead_letters", String.class)).containsIgnoringCase("timeout");
        assertThat(jdbc.queryForObject("select headline from people", String.class)).isNull();
        // Each attempt: the call and its redeliveries.
        Faults.thirdParties().verify(maxAttempts * (1 + redeliveries), postRequestedFor(urlEqualTo(Faults.FETCH_PERSONS)));
    }

    private static void resolve() {
        assertThat(service.http().postJson(Faults.RESOLVE + "?type=person&id=p-ada", Faults.resolveBody(URL)).statusCode())
                .isEqualTo(200);
    }
}
