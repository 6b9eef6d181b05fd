package com.example.crm.webhooks.operations;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Lists dead letters and replays them: a replay puts the dead letter's enrichment job back in the
 * queue (pending, no attempts, due now) and records {@code dead_letters.replayed_at}, in one
 * statement. A dead letter is replayed at most once: replaying it again, or two operators at
 * once, changes nothing (the row lock and {@code replayed_at is null} decide). A job that is
 * already queued again for the same entity and URL is left alone; its dead letter still counts
 * as replayed, because that job does the work.
 */
@Service("deadLetterReplay")
public class DeadLetterReplay {

    /** Marks the chosen open dead letters replayed and requeues their jobs; returns the dead letters' ids. */
    private static final String REPLAY = """
            with replayed as (
                update dead_letters set replayed_at = now()
                where replayed_at is null %s
                returning id, job_id
            ), requeued as (
                update enrichment_jobs job
                set state = 'pending', attempts = 0, next_attempt_at = now(), lease_owner = null,
                    lease_until = null, finished_at = null, updated_at = now()
                from replayed
                where job.id = replayed.job_id
                  and job.state not in ('pending', 'running')
                  and not exists (select 1 from enrichment_jobs open
                                  where open.entity_type = job.entity_type and open.entity_id = job.entity_id
                                    and open.linkedin_url = job.linkedin_url and open.state in ('pending', 'running'))
                returning job.id
            )
            select id from replayed order by id
            """;

    private final NamedParameterJdbcTemplate jdbc;
    private final OperationsCounts counts;

    public DeadLetterReplay(NamedParameterJdbcTemplate jdbc, OperationsCounts counts) {
        this.jdbc = jdbc;
        this.counts = counts;
    }

    /** One dead letter as an operator sees it (the stored headers stay out: they may carry credentials). */
    public record DeadLetter(String id, String routeId, String jobId, String payload, String error,
                             Instant failedAt, Instant replayedAt) {
    }

    /** Newest first; {@code includeReplayed} false lists only the open ones. */
    public List<DeadLetter> list(int limit, int offset, boolean includeReplayed) {
        return jdbc.query("""
                select id, route_id, job_id, payload::text as payload, error, failed_at, replayed_at
                from dead_letters
                where :includeReplayed or replayed_at is null
                order by failed_at desc, id
                limit :limit offset :offset
                """, new MapSqlParameterSource(Map.of("includeReplayed", includeReplayed, "limit", limit, "offset", offset)),
                (rs, row) -> new DeadLetter(rs.getString("id"), rs.getString("route_id"), rs.getString("job_id"),
                        rs.getString("payload"), rs.getString("error"), instant(rs.getTimestamp("failed_at")),
                        instant(rs.getTimestamp("replayed_at"))));
    }

    public long countOpen() {
        Long open = jdbc.getJdbcTemplate().queryForObject("select count(*) from dead_letters where replayed_at is null", Long.class);
        return open == null ? 0 : open;
    }

    /** Replays one dead letter; returns its id, or nothing if it does not exist or was replayed before. */
    @Transactional
    public List<String> replay(String id) {
        List<String> replayed = jdbc.queryForList(REPLAY.formatted("and id = :id"), Map.of("id", id), String.class);
        counts.refresh();
        return replayed;
    }

    /** Replays every open dead letter; returns their ids. */
    @Transactional
    public List<String> replayAll() {
        List<String> replayed = jdbc.queryForList(REPLAY.formatted(""), Map.of(), String.class);
        counts.refresh();
        return replayed;
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
