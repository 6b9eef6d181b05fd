package com.example.crm.webhooks.enrichment;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.processor.SendProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claiming jobs under a lease with FOR UPDATE SKIP LOCKED: consumers racing over the same jobs take
 * each exactly once; a job whose consumer died is taken again once its lease ran out, and the dead
 * consumer's late writes change nothing. Each claim is the enrichment route's own claim step
 * ({@code to-postgres-claim-jobs}), sent as other instances would; the application's own poller is
 * paused.
 */
class EnrichmentJobClaimTest extends WebhookServiceTest {

    private EnrichmentPause pollerPaused;

    private Endpoint claimStep;
    private ProducerTemplate producer;

    @BeforeEach
    void pausePoller() {
        pollerPaused = EnrichmentPause.of(camelContext);
        claimStep = camelContext.getProcessor("to-postgres-claim-jobs", SendProcessor.class).getDestination();
        producer = camelContext.createProducerTemplate();
    }

    @AfterEach
    void resumePoller() {
        pollerPaused.close();
    }

    @Test
    void twoConsumersRacingTakeEachJobExactlyOnce() throws Exception {
        Set<String> all = new HashSet<>(jdbc.queryForList("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url)
                select 'person', 'p-' || n, 'https://www.linkedin.com/in/p-' || n from generate_series(1, 50) n
                returning id""", String.class));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Callable<List<String>> consumer1 = drain("consumer-1", start);
            Callable<List<String>> consumer2 = drain("consumer-2", start);
            Future<List<String>> first = threads.submit(consumer1);
            Future<List<String>> second = threads.submit(consumer2);
            start.countDown();
            List<String> firstClaims = first.get();
            List<String> secondClaims = second.get();

            assertThat(new HashSet<>(firstClaims)).hasSize(firstClaims.size()).doesNotContainAnyElementsOf(secondClaims);
            List<String> together = new ArrayList<>(firstClaims);
            together.addAll(secondClaims);
            assertThat(together).hasSize(50).containsExactlyInAnyOrderElementsOf(all);
        } finally {
            threads.shutdownNow();
        }
        assertThat(jdbc.queryForList("select distinct state || ':' || attempts from enrichment_jobs", String.class))
                .containsExactly("running:1");
        assertThat(claim("consumer-3", 10)).isEmpty();
    }

    @Test
    void aJobWhoseLeaseRanOutIsClaimedAgainAndItsOldOwnerCannotTouchIt() {
        jdbc.update("insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('person', 'p-1', 'https://www.linkedin.com/in/p-1')");
        List<Map<String, Object>> claimed = claim("crashed-instance", 10);
        assertThat(claimed).hasSize(1);
        assertThat(claim("other-instance", 10)).as("the lease still holds").isEmpty();

        jdbc.update("update enrichment_jobs set lease_until = now() - interval '1 second'"); // as after a kill -9
        List<Map<String, Object>> reclaimed = claim("other-instance", 10);

        assertThat(reclaimed).extracting(job -> job.get("id")).containsExactly(claimed.get(0).get("id"));
        assertThat(reclaimed.get(0)).containsEntry("attempts", 2).containsEntry("lease_owner", "other-instance");
        assertThat(jdbc.queryForMap("select state, lease_owner from enrichment_jobs"))
                .containsEntry("state", "running").containsEntry("lease_owner", "other-instance");
    }

    @Test
    void jobsNotDueYetOrFinishedAreNotClaimed() {
        jdbc.update("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url, state, next_attempt_at) values
                  ('person', 'later', 'https://www.linkedin.com/in/later', 'pending', now() + interval '1 hour'),
                  ('person', 'done', 'https://www.linkedin.com/in/done', 'done', now()),
                  ('person', 'dead', 'https://www.linkedin.com/in/dead', 'dead', now()),
                  ('person', 'due', 'https://www.linkedin.com/in/due', 'pending', now())""");

        assertThat(claim("consumer", 10)).extracting(job -> job.get("entity_id")).containsExactly("due");
    }

    /** Profile jobs wait while Reverse Contact cannot be called, media copies while Twilio credentials are unset. */
    @Test
    void onlyTheKindsOfJobsAskedForAreClaimed() {
        jdbc.update("insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('person', 'p-1', 'https://www.linkedin.com/in/p-1')");
        jdbc.update("insert into enrichment_jobs (entity_type, entity_id, message_id, media_item) values ('message_media', 'm-1/media-0', 'm-1', 0)");

        assertThat(claim("no-kind", 10, false, false)).isEmpty();
        assertThat(claim("media-only", 10, false, true)).extracting(job -> job.get("entity_id")).containsExactly("m-1/media-0");
        List<Map<String, Object>> profiles = claim("profiles", 10, true, true);
        assertThat(profiles).extracting(job -> job.get("entity_id")).containsExactly("p-1");
        assertThat(profiles.get(0)).containsEntry("message_id", null).containsEntry("media_item", null);
    }

    private Callable<List<String>> drain(String owner, CountDownLatch start) {
        return () -> {
            start.await();
            List<String> claimed = new ArrayList<>();
            while (true) {
                List<Map<String, Object>> batch = claim(owner, 3);
                if (batch.isEmpty()) {
                    return claimed;
                }
                batch.forEach(job -> claimed.add((String) job.get("id")));
            }
        };
    }

    private List<Map<String, Object>> claim(String leaseOwner, int batchSize) {
        return claim(leaseOwner, batchSize, true, true);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> claim(String leaseOwner, int batchSize, boolean profileJobs, boolean mediaJobs) {
        return producer.requestBody(claimStep, Map.of("leaseOwner", leaseOwner, "leaseMillis", 30_000L, "batchSize", batchSize,
                "profileJobs", profileJobs, "mediaJobs", mediaJobs), List.class);
    }
}
