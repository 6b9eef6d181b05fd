package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Operators list dead letters and replay one or all through /actuator/deadletters; a replay happens once. */
class DeadLetterReplayTest extends WebhookServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    private int managementPort;

    private ManagementClient operator;

    private EnrichmentPause enrichmentPaused;

    @AfterEach
    void resumeEnrichment() {
        enrichmentPaused.close();
    }

    @BeforeEach
    void deadJobs() {
        // A replayed job is pending again: the poller must not run it (and dead-letter it anew) mid-test.
        enrichmentPaused = EnrichmentPause.of(camelContext);
        operator = ManagementClient.operator(managementPort);
        jdbc.update("""
                insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state, attempts, last_error, finished_at)
                values ('job-ada', 'person', 'p-ada', 'https://www.linkedin.com/in/ada', 'dead', 5, 'HTTP 500', now()),
                       ('job-grace', 'contact', 'c-grace', 'https://www.linkedin.com/in/grace', 'dead', 5, 'HTTP 429', now()),
                       ('job-logo', 'company', 'co-1', 'https://www.linkedin.com/company/ae', 'dead', 5, 'timeout', now())
                """);
        jdbc.update("""
                insert into dead_letters (id, route_id, job_id, payload, error, failed_at) values
                  ('dl-ada', 'enrichment-person', 'job-ada', '{"entityId":"p-ada"}', 'HTTP 500', now() - interval '3 hours'),
                  ('dl-grace', 'enrichment-contact', 'job-grace', '{"entityId":"c-grace"}', 'HTTP 429', now() - interval '2 hours'),
                  ('dl-logo', 'enrichment-company', 'job-logo', '{"entityId":"co-1"}', 'timeout', now() - interval '1 hour')
                """);
    }

    @Test
    void theListShowsOpenDeadLettersNewestFirstAPageAtATime() throws Exception {
        JsonNode page = json(operator.get("/actuator/deadletters?limit=2"));
        assertThat(page.get("open").asLong()).isEqualTo(3);
        assertThat(ids(page)).containsExactly("dl-logo", "dl-grace");
        assertThat(page.get("deadLetters").get(0).get("error").asText()).isEqualTo("timeout");
        assertThat(page.get("deadLetters").get(0).get("jobId").asText()).isEqualTo("job-logo");

        assertThat(ids(json(operator.get("/actuator/deadletters?limit=2&offset=2")))).containsExactly("dl-ada");
    }

    @Test
    void replayingOneRequeuesItsJobAndRecordsIt() throws Exception {
        JsonNode answer = json(operator.postJson("/actuator/deadletters", "{\"id\":\"dl-grace\"}"));

        assertThat(answer.get("replayed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForMap("select state, attempts, finished_at from enrichment_jobs where id = 'job-grace'"))
                .containsEntry("state", "pending").containsEntry("attempts", 0).containsEntry("finished_at", null);
        assertThat(jdbc.queryForObject("select replayed_at is not null from dead_letters where id = 'dl-grace'", Boolean.class)).isTrue();
        assertThat(jdbc.queryForList("select state from enrichment_jobs where id <> 'job-grace'", String.class))
                .containsOnly("dead");
        assertThat(ids(json(operator.get("/actuator/deadletters")))).containsExactly("dl-logo", "dl-ada");
        assertThat(ids(json(operator.get("/actuator/deadletters?includeReplayed=true")))).containsExactly("dl-logo", "dl-grace", "dl-ada");
    }

    @Test
    void replayingTwiceChangesNothingTheSecondTime() throws Exception {
        operator.postJson("/actuator/deadletters", "{\"id\":\"dl-ada\"}");
        // The job runs and fails again, but this dead letter was replayed already.
        jdbc.update("update enrichment_jobs set state = 'running', attempts = 1 where id = 'job-ada'");
        Map<String, List<Map<String, Object>>> before = db.snapshot();

        JsonNode again = json(operator.postJson("/actuator/deadletters", "{\"id\":\"dl-ada\"}"));

        assertThat(again.get("replayed").asInt()).isZero();
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void replayingAllRequeuesEveryOpenOneOnce() throws Exception {
        operator.postJson("/actuator/deadletters", "{\"id\":\"dl-ada\"}");

        JsonNode answer = json(operator.postJson("/actuator/deadletters", "{}"));

        assertThat(answer.get("replayed").asInt()).isEqualTo(2);
        assertThat(answer.get("ids")).extracting(JsonNode::asText).containsExactlyInAnyOrder("dl-grace", "dl-logo");
        assertThat(jdbc.queryForList("select state from enrichment_jobs", String.class)).containsOnly("pending");
        assertThat(jdbc.queryForObject("select count(*) from dead_letters where replayed_at is null", Integer.class)).isZero();
        assertThat(json(operator.postJson("/actuator/deadletters", "{}")).get("replayed").asInt()).isZero();
    }

    @Test
    void aJobQueuedAgainMeanwhileIsNotDuplicated() throws Exception {
        // A new resolve callback queued the same enrichment before the operator replayed.
        jdbc.update("insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state) "
                + "values ('job-ada-again', 'person', 'p-ada', 'https://www.linkedin.com/in/ada', 'pending')");

        JsonNode answer = json(operator.postJson("/actuator/deadletters", "{\"id\":\"dl-ada\"}"));

        assertThat(answer.get("replayed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select state from enrichment_jobs where id = 'job-ada'", String.class)).isEqualTo("dead");
        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs where state = 'pending'", Integer.class)).isEqualTo(1);
    }

    @Test
    void aJobIsNotReplayedWhileItsEntityHasAnOpenJobForAnotherUrl() throws Exception {
        // A newer resolve callback gave the person another URL, and its job waits: that one is the enrichment to do.
        jdbc.update("insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state) "
                + "values ('job-ada-king', 'person', 'p-ada', 'https://www.linkedin.com/in/ada-king', 'pending')");

        JsonNode answer = json(operator.postJson("/actuator/deadletters", "{\"id\":\"dl-ada\"}"));

        assertThat(answer.get("replayed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select state from enrichment_jobs where id = 'job-ada'", String.class)).isEqualTo("dead");
        assertThat(jdbc.queryForList("select id from enrichment_jobs where entity_id = 'p-ada' and state in ('pending', 'running')",
                String.class)).containsExactly("job-ada-king");
    }

    @Test
    void replayingSeveralLettersOfOneEntityRequeuesOnlyItsNewestJob() throws Exception {
        jdbc.update("update enrichment_jobs set created_at = now() - interval '1 day' where id = 'job-ada'");
        jdbc.update("""
                insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state, attempts, finished_at)
                values ('job-ada-king', 'person', 'p-ada', 'https://www.linkedin.com/in/ada-king', 'dead', 5, now())""");
        jdbc.update("insert into dead_letters (id, route_id, job_id, error) values ('dl-ada-king', 'enrich-job', 'job-ada-king', 'HTTP 500')");

        JsonNode answer = json(operator.postJson("/actuator/deadletters", "{}"));

        assertThat(answer.get("ids")).extracting(JsonNode::asText).containsExactlyInAnyOrder("dl-ada", "dl-ada-king", "dl-grace", "dl-logo");
        assertThat(jdbc.queryForList("select id from enrichment_jobs where entity_id = 'p-ada' and state = 'pending'", String.class))
                .containsExactly("job-ada-king");
        assertThat(jdbc.queryForObject("select state from enrichment_jobs where id = 'job-ada'", String.class)).isEqualTo("dead");
    }

    @Test
    void anUnknownIdReplaysNothing() throws Exception {
        Map<String, List<Map<String, Object>>> before = db.snapshot();
        assertThat(json(operator.postJson("/actuator/deadletters", "{\"id\":\"no-such\"}")).get("replayed").asInt()).isZero();
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void withoutCredentialsNothingIsListedOrReplayed() {
        Map<String, List<Map<String, Object>>> before = db.snapshot();
        ManagementClient anonymous = ManagementClient.anonymous(managementPort);
        ManagementClient wrong = ManagementClient.as(managementPort, ManagementClient.USERNAME, "wrong");

        assertThat(anonymous.get("/actuator/deadletters").statusCode()).isEqualTo(401);
        assertThat(anonymous.postJson("/actuator/deadletters", "{}").statusCode()).isEqualTo(401);
        assertThat(wrong.postJson("/actuator/deadletters", "{\"id\":\"dl-ada\"}").statusCode()).isEqualTo(401);
        // The public port has no dead letters at all.
        assertThat(http.post("/actuator/deadletters", "application/json", "{}", Map.of()).statusCode()).isEqualTo(404);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> ids(JsonNode page) {
        return page.get("deadLetters").findValuesAsText("id");
    }
}
