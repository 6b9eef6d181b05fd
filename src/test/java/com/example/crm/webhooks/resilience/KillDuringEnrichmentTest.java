package com.example.crm.webhooks.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ChildJvm;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.ServiceProcess;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The service killed with SIGKILL in the middle of enrichment, then started again: every job
 * completes, and each entity is enriched once in effect (its profile saved, one picture object
 * under its key, one job, no dead letter). "Exactly once" is about our data: a call to Reverse
 * Contact that was in flight when the process died is made again by the restarted service, since
 * nothing recorded its answer (at least once towards the provider); every other job calls it once.
 *
 * <p>The first service runs as a separate JVM, so it can really be killed; Reverse Contact answers
 * each fetch after 1 s, so jobs are in flight at the kill. The lease is short (2 s) so the
 * restarted service (in this JVM) takes the dead one's jobs over soon. Its log is in
 * target/kill-during-enrichment-child.log.
 */
class KillDuringEnrichmentTest {

    private static final int JOBS = 12;
    private static final int BATCH = 4;
    private static final int FETCH_DELAY_MILLIS = 1000;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Map<String, Object> SETTINGS = Map.of(
            "enrichment.lease", "2s",
            // One batch = the jobs that run at once, so a batch is either in flight or done.
            "enrichment.batch-size", BATCH,
            "enrichment.max-concurrency", BATCH);

    private Process child;
    private ServiceInstance restarted;
    private SingleConnectionDataSource dataSource;

    @AfterEach
    void stop() throws InterruptedException {
        ChildJvm.stop(child, 10);
        if (restarted != null) {
            restarted.close();
        }
        if (dataSource != null) {
            dataSource.destroy();
        }
    }

    @Test
    void afterASigkillMidEnrichmentARestartCompletesEveryJobOnceInEffect() throws Exception {
        Faults.thirdParties().resetAll();
        String jdbcUrl = TestInfrastructure.newMigratedDatabase("kill_during_enrichment");
        dataSource = new SingleConnectionDataSource(jdbcUrl, "postgres", "", true);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        byte[] picture = Faults.png();
        List<String> ids = IntStream.range(0, JOBS).mapToObj(n -> "kill-" + n).toList();
        for (String id : ids) {
            Faults.stubProfile(Faults.linkedinUrl(id), "Headline of " + id, "/cdn/" + id + ".png", FETCH_DELAY_MILLIS);
            Faults.stubPicture("/cdn/" + id + ".png", picture);
            jdbc.update("insert into contacts (id, linkedin_url) values (?, ?)", id, Faults.linkedinUrl(id));
            jdbc.update("insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('contact', ?, ?)",
                    id, Faults.linkedinUrl(id));
        }

        child = ServiceProcess.start("kill-during-enrichment", jdbcUrl, SETTINGS);
        // Kill once the first batch is done and the second one's calls to Reverse Contact are in flight
        // (they take FETCH_DELAY_MILLIS; the condition is checked every 20 ms).
        await("a batch done and the next one in flight").atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            int done = jdbc.queryForObject("select count(*) from enrichment_jobs where state = 'done'", Integer.class);
            return done >= BATCH && fetches().size() > done;
        });
        child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no graceful stop
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isEqualTo(137);

        Set<String> doneAtKill = Set.copyOf(jdbc.queryForList(
                "select entity_id from enrichment_jobs where state = 'done'", String.class));
        Map<String, Long> callsBeforeKill = callsPerEntity();
        Set<String> inFlightAtKill = callsBeforeKill.keySet().stream()
                .filter(id -> !doneAtKill.contains(id)).collect(Collectors.toSet());
        assertThat(doneAtKill).isNotEmpty();
        assertThat(inFlightAtKill).as("jobs whose call was in flight at the kill").isNotEmpty();
        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs where state = 'running'", Integer.class))
                .as("jobs the dead process still holds").isPositive();

        restarted = ServiceInstance.start("kill-restarted", jdbcUrl, SETTINGS);

        await("every job done after the restart").atMost(WAIT).until(() -> jdbc.queryForObject(
                "select count(*) from enrichment_jobs where state = 'done'", Integer.class) == JOBS);
        assertThat(jdbc.queryForObject("select count(*) from enrichment_jobs", Integer.class)).isEqualTo(JOBS);
        assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        for (String id : ids) {
            assertThat(jdbc.queryForMap("select headline, profile_picture_key, enriched_at is not null as enriched from contacts where id = ?", id))
                    .as(id)
                    .containsEntry("headline", "Headline of " + id)
                    .containsEntry("profile_picture_key", "contacts/" + id + "/avatar.png")
                    .containsEntry("enriched", true);
        }
        assertThat(TestInfrastructure.s3().keys(TestInfrastructure.BUCKET, "contacts/kill-"))
                .containsExactlyInAnyOrderElementsOf(ids.stream().map(id -> "contacts/" + id + "/avatar.png").toList());
        for (String id : ids) {
            assertThat(TestInfrastructure.s3().object(TestInfrastructure.BUCKET, "contacts/" + id + "/avatar.png")).isEqualTo(picture);
        }

        // Calls to Reverse Contact: once per job, but twice for the ones in flight at the kill.
        Map<String, Long> calls = callsPerEntity();
        Map<String, Integer> attempts = new HashMap<>();
        jdbc.query("select entity_id, attempts from enrichment_jobs",
                rs -> { attempts.put(rs.getString(1), rs.getInt(2)); });
        for (String id : ids) {
            if (inFlightAtKill.contains(id)) {
                assertThat(calls.get(id)).as("calls for %s, in flight at the kill", id).isEqualTo(2);
                assertThat(attempts.get(id)).as("attempts of %s", id).isEqualTo(2);
            } else {
                assertThat(calls.get(id)).as("calls for %s", id).isEqualTo(1);
                assertThat(attempts.get(id)).as("attempts of %s", id).isBetween(1, 2);
            }
            if (doneAtKill.contains(id)) {
                assertThat(attempts.get(id)).as("attempts of %s, done before the kill", id).isEqualTo(1);
            }
        }
    }

    private static List<LoggedRequest> fetches() {
        return Faults.thirdParties().findAll(postRequestedFor(urlEqualTo(Faults.FETCH_PERSONS)));
    }

    /** Calls to Reverse Contact's fetch so far, by the entity whose URL they asked for. */
    private static Map<String, Long> callsPerEntity() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Long> calls = new HashMap<>();
        for (LoggedRequest request : fetches()) {
            String url = json.readTree(request.getBodyAsString()).path("url").asText();
            calls.merge(url.substring(url.lastIndexOf('/') + 1), 1L, Long::sum);
        }
        return calls;
    }
}
