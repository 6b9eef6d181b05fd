package com.example.crm.webhooks.enrichment;

import java.util.List;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Replays dead-lettered enrichment jobs: the letter is marked replayed and its job is pending again
 * with a fresh set of attempts. Idempotent: a letter already replayed changes nothing. When another
 * job is already open for the same entity and URL (a later callback queued one), that job does the
 * work and the dead one stays dead.
 */
@Component("deadLetters")
public class DeadLetters {

    private final NamedParameterJdbcTemplate jdbc;

    public DeadLetters(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Replays one letter; false when there is no such letter or it was replayed before. */
    public boolean replay(String deadLetterId) {
        Integer replayed = jdbc.queryForObject("""
                with letter as (
                    update dead_letters set replayed_at = now()
                     where id = :id and replayed_at is null
                    returning job_id),
                requeued as (
                    update enrichment_jobs j
                       set state = 'pending', attempts = 0, next_attempt_at = now(), finished_at = null,
                           lease_owner = null, lease_until = null, updated_at = now()
                      from letter
                     where j.id = letter.job_id and j.state = 'dead'
                       and not exists (
                           select 1 from enrichment_jobs o
                            where o.entity_type = j.entity_type and o.entity_id = j.entity_id
                              and o.linkedin_url = j.linkedin_url and o.state in ('pending', 'running'))
                    returning j.id)
                select count(*) from letter""",
                new MapSqlParameterSource("id", deadLetterId), Integer.class);
        return replayed != null && replayed > 0;
    }

    /** Replays every letter not replayed yet; returns how many. */
    public int replayAll() {
        List<String> open = jdbc.queryForList(
                "select id from dead_letters where replayed_at is null order by failed_at",
                new MapSqlParameterSource(), String.class);
        int replayed = 0;
        for (String id : open) {
            if (replay(id)) {
                replayed++;
            }
        }
        return replayed;
    }
}
