package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An operator replays dead letters from the console: the DeadLetters MBean's replay(id) and
 * replayAll(), through Jolokia, requeue the dead enrichment jobs as POST /actuator/deadletters does.
 */
class ConsoleDeadLetterReplayTest extends WebhookServiceTest {

    @LocalServerPort
    private int managementPort;

    private EnrichmentPause enrichmentPaused;
    private ConsoleSession console;

    @BeforeEach
    void deadJobs() {
        // A replayed job is pending again: the poller must not run it (and dead-letter it anew) mid-test.
        enrichmentPaused = EnrichmentPause.of(camelContext);
        console = ConsoleSession.logIn(managementPort);
        jdbc.update("""
                insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state, attempts, last_error, finished_at)
                values ('job-ada', 'person', 'p-ada', 'https://www.linkedin.com/in/ada', 'dead', 5, 'HTTP 500', now()),
                       ('job-grace', 'contact', 'c-grace', 'https://www.linkedin.com/in/grace', 'dead', 5, 'HTTP 429', now())
                """);
        jdbc.update("""
                insert into dead_letters (id, route_id, job_id, payload, error, failed_at) values
                  ('dl-ada', 'enrichment-person', 'job-ada', '{"entityId":"p-ada"}', 'HTTP 500', now() - interval '2 hours'),
                  ('dl-grace', 'enrichment-contact', 'job-grace', '{"entityId":"c-grace"}', 'HTTP 429', now() - interval '1 hour')
                """);
    }

    @AfterEach
    void resumeEnrichment() {
        enrichmentPaused.close();
    }

    @Test
    void anOperatorReplaysOneDeadLetterAndThenAllOfThemFromTheConsole() {
        String deadLetters = console.search("com.example.crm.webhooks:type=DeadLetters,*");
        assertThat(deadLetters).as("named after the Camel context").contains("context=\"" + camelContext.getName() + "\"");

        JsonNode one = console.exec(deadLetters, "replay(java.lang.String)", "dl-ada");

        assertThat(one.get("status").asInt()).as(one.toString()).isEqualTo(200);
        assertThat(one.get("value")).extracting(JsonNode::asText).containsExactly("dl-ada");
        assertThat(jdbc.queryForMap("select state, attempts, finished_at from enrichment_jobs where id = 'job-ada'"))
                .containsEntry("state", "pending").containsEntry("attempts", 0).containsEntry("finished_at", null);
        assertThat(jdbc.queryForObject("select state from enrichment_jobs where id = 'job-grace'", String.class)).isEqualTo("dead");

        JsonNode all = console.exec(deadLetters, "replayAll()");

        assertThat(all.get("value")).extracting(JsonNode::asText).containsExactly("dl-grace");
        assertThat(jdbc.queryForList("select state from enrichment_jobs", String.class)).containsOnly("pending");
        assertThat(jdbc.queryForObject("select count(*) from dead_letters where replayed_at is null", Integer.class)).isZero();
    }
}
