package com.example.crm.webhooks.retention;

import static com.example.crm.webhooks.support.TwilioRequests.INBOUND;
import static com.example.crm.webhooks.support.TwilioRequests.inboundMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The retention purge (routes/retention.camel.yaml) on a database of its own: what is older than its
 * kind's retention goes, in batches of retention.batch-size, counted per kind, while inbound messages
 * keep being accepted and applied; nothing younger, no open enrichment job, no open dead letter, no
 * row an entity's state depends on and no row the CRM owns is touched. A kind another instance is
 * purging (it holds the kind's advisory lock) is left alone, and two instances purging one backlog
 * together delete and count each row once.
 */
class RetentionPurgeTest {

    private static final int OLD_LEDGER_ROWS = 2_500;
    private static final int BATCH = 500;
    private static final Map<String, Object> SETTINGS = Map.of(
            "retention.first-run-delay", "0s",
            "retention.interval", "1s",
            "retention.batch-size", BATCH,
            // Long enough that a batch's progress can be seen between two batches.
            "retention.batch-pause", "200ms");

    private final List<ServiceInstance> instances = new ArrayList<>();
    private SingleConnectionDataSource dataSource;

    @AfterEach
    void stop() {
        instances.forEach(ServiceInstance::close);
        if (dataSource != null) {
            dataSource.destroy();
        }
    }

    @Test
    void oldRowsGoInBatchesWhileMessagesKeepArrivingAndEverythingElseStays() throws Exception {
        String jdbcUrl = TestInfrastructure.newMigratedDatabase("retention_purge");
        JdbcTemplate jdbc = jdbc(jdbcUrl);
        writeRowsOfEveryKind(jdbc);
        Map<String, List<String>> kept = keptRows(jdbc);

        ServiceInstance service;
        // Another instance purges the intake ledger: it holds the kind's lock.
        try (Connection other = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = other.createStatement()) {
            statement.execute("select pg_advisory_lock(hashtext('retention'), hashtext('intake-ledger'))");
            service = start("retention-purge", jdbcUrl);

            await("the other kinds purged").atMost(Duration.ofSeconds(60))
                    .until(() -> count(jdbc, "dead_letters where id = 'dl-replayed-old'") == 0
                            && count(jdbc, "message_status_events where received_at < now() - interval '91 days'") == 0
                            && count(jdbc, "enrichment_jobs where id in ('job-superseded-old', 'job-media-old')") == 0
                            && count(jdbc, "resolve_callbacks where id = 'rc-a-1'") == 0);
            await("a pass after them").atMost(Duration.ofSeconds(10)).until(() -> passes(service) >= 2);
            assertThat(oldLedgerRows(jdbc)).as("the ledger, locked by the other instance").isEqualTo(OLD_LEDGER_ROWS);
        }

        // Its lock released: the ledger's backlog goes in batches while messages arrive and are applied.
        TwilioRequests twilio = new TwilioRequests(service.http());
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<Integer> answers = Collections.synchronizedList(new ArrayList<>());
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            sender.submit(() -> {
                while (sending.get()) {
                    int n = sent.getAndIncrement();
                    answers.add(twilio.post(INBOUND, inboundMessage("SMduring" + n, "+61412345678", "+61298765432", "during the purge"))
                            .statusCode());
                }
            });
            await("the ledger part-way purged").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        int left = oldLedgerRows(jdbc);
                        return left > 0 && left < OLD_LEDGER_ROWS;
                    });
            await("the ledger purged").atMost(Duration.ofSeconds(60)).until(() -> oldLedgerRows(jdbc) == 0);
            assertThat(sent.get()).as("messages sent while the ledger was purged").isPositive();
        } finally {
            sending.set(false);
            sender.shutdown();
        }
        assertThat(sender.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(answers).hasSize(sent.get()).containsOnly(200);
        await("every message applied").atMost(Duration.ofSeconds(20))
                .until(() -> count(jdbc, "messages where twilio_sid like 'SMduring%'") == sent.get());

        assertThat(keptRows(jdbc)).as("every row younger than its retention, open, latest or the CRM's").isEqualTo(kept);
        MeterRegistry metrics = service.bean(MeterRegistry.class);
        // A batch is counted once its delete has committed: the last one's count may trail the table.
        await("every purged row counted").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(purged(metrics, "intake-ledger")).isEqualTo(OLD_LEDGER_ROWS);
            assertThat(purged(metrics, "message-status-events")).isEqualTo(600);
            assertThat(purged(metrics, "resolve-callbacks")).isEqualTo(2);
            assertThat(purged(metrics, "enrichment-jobs")).isEqualTo(4);
            assertThat(purged(metrics, "dead-letters")).isEqualTo(1);
        });
        assertThat(metrics.get("retention.failures").counters()).allSatisfy(failures -> assertThat(failures.count()).isZero());
    }

    @Test
    void twoInstancesPurgeOneBacklogOnce() throws Exception {
        String jdbcUrl = TestInfrastructure.newMigratedDatabase("retention_two_instances");
        JdbcTemplate jdbc = jdbc(jdbcUrl);
        jdbc.update("""
                insert into message_status_events (twilio_sid, status, received_at)
                select 'SMold' || n, 'delivered', now() - interval '100 days' from generate_series(1, 3000) n""");

        ServiceInstance first;
        ServiceInstance second;
        // Held until both run their passes, so they meet the backlog together.
        try (Connection other = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = other.createStatement()) {
            statement.execute("select pg_advisory_lock(hashtext('retention'), hashtext('message-status-events'))");
            first = start("retention-first", jdbcUrl);
            second = start("retention-second", jdbcUrl);
            await("both instances pass").atMost(Duration.ofSeconds(30))
                    .until(() -> passes(first) >= 2 && passes(second) >= 2);
            assertThat(count(jdbc, "message_status_events")).as("while another holds the kind").isEqualTo(3000);
        }

        await("the backlog purged").atMost(Duration.ofSeconds(90)).until(() -> count(jdbc, "message_status_events") == 0);
        // Each batch is counted once its delete has committed: the last one's count may trail the table.
        await("every purged row counted once").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(purged(first.bean(MeterRegistry.class), "message-status-events")
                        + purged(second.bean(MeterRegistry.class), "message-status-events")).isEqualTo(3000));
    }

    private ServiceInstance start(String name, String jdbcUrl) {
        ServiceInstance instance = ServiceInstance.start(name, jdbcUrl, SETTINGS);
        instances.add(instance);
        return instance;
    }

    private JdbcTemplate jdbc(String jdbcUrl) {
        dataSource = new SingleConnectionDataSource(jdbcUrl, "postgres", "", true);
        return new JdbcTemplate(dataSource);
    }

    /**
     * Rows of every kind, past their retention and not, with those that must stay although old: an
     * entity's latest callback and latest job, open jobs, a dead job whose letter is open, an open
     * dead letter, and the CRM's own rows.
     */
    private static void writeRowsOfEveryKind(JdbcTemplate jdbc) {
        jdbc.update("""
                insert into intake_ledger (delivery_id, route_id, received_at, applied_at)
                select 'old-' || n, 'twilio-inbound', now() - interval '40 days', now() - interval '40 days'
                  from generate_series(1, ?) n""", OLD_LEDGER_ROWS);
        jdbc.update("""
                insert into intake_ledger (delivery_id, route_id, received_at, applied_at)
                select 'young-' || n, 'twilio-inbound', now() - interval '29 days', now() - interval '29 days'
                  from generate_series(1, 20) n""");

        jdbc.update("""
                insert into message_status_events (twilio_sid, status, received_at)
                select 'SMold' || n, 'delivered', now() - interval '100 days' from generate_series(1, 600) n""");
        jdbc.update("""
                insert into message_status_events (twilio_sid, status, received_at)
                select 'SMyoung' || n, 'delivered', now() - interval '89 days' from generate_series(1, 10) n""");

        // Entity a: two old callbacks and its latest, old too; entity b: one old callback; entity c: a young one.
        // Before them, more than a batch of entities whose only callback is old: they stay, and the
        // batches go on past them.
        jdbc.update("""
                insert into resolve_callbacks (id, entity_type, entity_id, received_at, outcome, payload)
                select 'rc-single-' || n, 'person', 'p-single-' || n, now() - interval '400 days', 'no_match', '{}'
                  from generate_series(1, 600) n""");
        jdbc.update("""
                insert into resolve_callbacks (id, entity_type, entity_id, received_at, outcome, payload) values
                  ('rc-a-1', 'contact', 'c-a', now() - interval '300 days', 'no_match', '{"n":1}'),
                  ('rc-a-2', 'contact', 'c-a', now() - interval '200 days', 'no_match', '{"n":2}'),
                  ('rc-a-latest', 'contact', 'c-a', now() - interval '100 days', 'no_match', '{"n":3}'),
                  ('rc-b-only', 'person', 'p-b', now() - interval '100 days', 'no_match', '{"n":1}'),
                  ('rc-c-young', 'company', 'co-c', now() - interval '89 days', 'no_match', '{"n":1}')""");

        jdbc.update("""
                insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state, outcome, attempts,
                                             created_at, finished_at, next_attempt_at, lease_owner, lease_until) values
                  ('job-superseded-old', 'contact', 'c-a', 'https://www.linkedin.com/in/x', 'done', 'superseded', 1,
                   now() - interval '60 days', now() - interval '60 days', now(), null, null),
                  ('job-enriched-old', 'contact', 'c-a', 'https://www.linkedin.com/in/a', 'done', 'enriched', 1,
                   now() - interval '50 days', now() - interval '50 days', now(), null, null),
                  ('job-latest-old', 'contact', 'c-a', 'https://www.linkedin.com/in/a', 'done', 'enriched', 1,
                   now() - interval '40 days', now() - interval '40 days', now(), null, null),
                  ('job-dead-replayed-old', 'person', 'p-b', 'https://www.linkedin.com/in/b', 'dead', null, 6,
                   now() - interval '70 days', now() - interval '70 days', now(), null, null),
                  ('job-dead-open-old', 'person', 'p-d', 'https://www.linkedin.com/in/d', 'dead', null, 6,
                   now() - interval '70 days', now() - interval '70 days', now(), null, null),
                  ('job-latest-b', 'person', 'p-b', 'https://www.linkedin.com/in/b', 'done', 'not_found', 1,
                   now() - interval '35 days', now() - interval '35 days', now(), null, null),
                  ('job-young', 'company', 'co-c', 'https://www.linkedin.com/company/c', 'done', 'enriched', 1,
                   now() - interval '29 days', now() - interval '29 days', now(), null, null),
                  ('job-pending-old', 'company', 'co-e', 'https://www.linkedin.com/company/e', 'pending', null, 0,
                   now() - interval '90 days', null, now() + interval '1 hour', null, null),
                  ('job-retrying-old', 'company', 'co-f', 'https://www.linkedin.com/company/f', 'pending', null, 3,
                   now() - interval '90 days', null, now() + interval '1 hour', null, null),
                  ('job-running-old', 'company', 'co-g', 'https://www.linkedin.com/company/g', 'running', null, 1,
                   now() - interval '90 days', null, now() + interval '1 hour', 'another-instance', now() + interval '1 hour')""");
        // Media copies: each its item's only job; an old finished one goes, a young one stays.
        jdbc.update("""
                insert into enrichment_jobs (id, entity_type, entity_id, message_id, media_item, state, outcome, attempts,
                                             created_at, finished_at, next_attempt_at) values
                  ('job-media-old', 'message_media', 'm-old/media-0', 'm-old', 0, 'done', 'copied', 1,
                   now() - interval '60 days', now() - interval '60 days', now()),
                  ('job-media-young', 'message_media', 'm-old/media-1', 'm-old', 1, 'done', 'copied', 1,
                   now() - interval '29 days', now() - interval '29 days', now())""");

        jdbc.update("""
                insert into dead_letters (id, route_id, job_id, payload, error, failed_at, replayed_at) values
                  ('dl-replayed-old', 'enrich-job', 'job-dead-replayed-old', '{}', 'HTTP 500',
                   now() - interval '70 days', now() - interval '40 days'),
                  ('dl-replayed-young', 'enrich-job', 'job-young', '{}', 'HTTP 500',
                   now() - interval '70 days', now() - interval '29 days'),
                  ('dl-open-old', 'enrich-job', 'job-dead-open-old', '{}', 'HTTP 500', now() - interval '70 days', null)""");

        // The CRM's rows, however old, are never the purge's.
        jdbc.update("""
                insert into companies (id, name, created_at) values ('co-c', 'Old Co', now() - interval '900 days');
                insert into contacts (id, first_name, created_at) values ('c-a', 'Ada', now() - interval '900 days');
                insert into people (id, first_name, created_at) values ('p-b', 'Grace', now() - interval '900 days');
                insert into contact_relationship_profiles (id, contact_id, phone_number, created_at)
                  values ('crp-a', 'c-a', '+61412345678', now() - interval '900 days');
                insert into person_change_alerts (id, person_id, received_at) values ('pca-b', 'p-b', now() - interval '900 days');
                insert into messages (id, twilio_sid, direction, channel, status, created_at)
                  values ('m-old', 'SMold1', 'outbound', 'sms', 'delivered', now() - interval '900 days')""");
    }

    /** The ids of the rows that must outlive the purge, per table. */
    private static Map<String, List<String>> keptRows(JdbcTemplate jdbc) {
        return Map.of(
                "intake_ledger", ids(jdbc, "select delivery_id from intake_ledger where delivery_id like 'young-%'"),
                "message_status_events", ids(jdbc, "select twilio_sid from message_status_events where twilio_sid like 'SMyoung%'"),
                "resolve_callbacks", ids(jdbc, "select id from resolve_callbacks where id in ('rc-a-latest', 'rc-b-only', 'rc-c-young') or id like 'rc-single-%'"),
                "enrichment_jobs", ids(jdbc, "select id || ' ' || state from enrichment_jobs where id not in "
                        + "('job-superseded-old', 'job-enriched-old', 'job-dead-replayed-old', 'job-media-old')"),
                "dead_letters", ids(jdbc, "select id || ' ' || coalesce(replayed_at::text, 'open') from dead_letters where id <> 'dl-replayed-old'"),
                "crm", ids(jdbc, """
                        select 'company ' || id from companies union all select 'contact ' || id from contacts
                        union all select 'person ' || id from people union all select 'profile ' || id from contact_relationship_profiles
                        union all select 'alert ' || id from person_change_alerts
                        union all select 'message ' || id || ' ' || status from messages where id = 'm-old'"""));
    }

    private static List<String> ids(JdbcTemplate jdbc, String query) {
        return jdbc.queryForList(query + " order by 1", String.class);
    }

    private static int oldLedgerRows(JdbcTemplate jdbc) {
        return count(jdbc, "intake_ledger where delivery_id like 'old-%'");
    }

    private static int count(JdbcTemplate jdbc, String fromWhere) {
        return jdbc.queryForObject("select count(*) from " + fromWhere, Integer.class);
    }

    private static double purged(MeterRegistry metrics, String kind) {
        return metrics.get("retention.purged.rows").tag("kind", kind).counter().count();
    }

    /** Passes of the retention route so far (Camel's route policy counts its exchanges when due or not: every second). */
    private static double passes(ServiceInstance service) {
        return service.bean(MeterRegistry.class).get("camel.exchanges.total").tag("routeId", "purge-dead-letters").counter().count();
    }
}
