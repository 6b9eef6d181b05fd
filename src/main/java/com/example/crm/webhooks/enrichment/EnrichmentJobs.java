package com.example.crm.webhooks.enrichment;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.ExchangeHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The durable job queue behind enrichment ({@code enrichment_jobs}). An instance claims due jobs
 * under a lease with {@code FOR UPDATE SKIP LOCKED}, so any number of instances share the work and
 * none takes a job another holds; a job whose instance died is due again when its lease runs out.
 * Every later write names the lease owner, so an instance whose lease was taken over changes nothing.
 * Retries are durable: a failed attempt puts the job back to pending with a later next_attempt_at,
 * and the last failed attempt moves it to {@code dead_letters}.
 */
@Component("enrichmentJobs")
public class EnrichmentJobs {

    private static final Logger log = LoggerFactory.getLogger(EnrichmentJobs.class);
    private static final int MAX_ERROR_LENGTH = 1000;

    private final NamedParameterJdbcTemplate jdbc;
    private final EnrichmentSettings settings;
    private final String owner = instanceName() + "/" + UUID.randomUUID().toString().substring(0, 8);

    public EnrichmentJobs(NamedParameterJdbcTemplate jdbc, EnrichmentSettings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    /** This instance's due jobs, up to the batch size. */
    public List<EnrichmentJob> claimDue() {
        return claim(owner, settings.batchSize());
    }

    /**
     * Takes up to {@code limit} due jobs for {@code leaseOwner}: pending ones whose time has come,
     * and running ones whose lease ran out. Each claim counts as an attempt.
     */
    public List<EnrichmentJob> claim(String leaseOwner, int limit) {
        return jdbc.query("""
                with due as (
                    select id from enrichment_jobs
                     where (state = 'pending' and next_attempt_at <= now())
                        or (state = 'running' and lease_until < now())
                     order by next_attempt_at
                     limit :limit
                       for update skip locked)
                update enrichment_jobs j
                   set state = 'running', lease_owner = :owner,
                       lease_until = now() + :leaseMillis * interval '1 millisecond',
                       attempts = j.attempts + 1, updated_at = now()
                  from due
                 where j.id = due.id
                returning j.id, j.entity_type, j.entity_id, j.linkedin_url, j.attempts""",
                new MapSqlParameterSource()
                        .addValue("limit", limit)
                        .addValue("owner", leaseOwner)
                        .addValue("leaseMillis", settings.lease().toMillis()),
                (rs, row) -> new EnrichmentJob(rs.getString("id"),
                        EntityType.fromCode(rs.getString("entity_type")).orElseThrow(),
                        rs.getString("entity_id"), rs.getString("linkedin_url"), rs.getInt("attempts")));
    }

    /** The job succeeded; {@code note} (e.g. why the picture was not copied) stays in last_error. */
    public void complete(Exchange exchange) {
        EnrichmentJob job = job(exchange);
        String note = exchange.getProperty(EnrichedProfiles.NOTE, String.class);
        jdbc.update("""
                update enrichment_jobs
                   set state = 'done', finished_at = now(), last_error = :note,
                       lease_owner = null, lease_until = null, updated_at = now()
                 where id = :id and lease_owner = :owner and state = 'running'""",
                new MapSqlParameterSource().addValue("id", job.id()).addValue("owner", owner).addValue("note", note));
    }

    /**
     * A failure worth another attempt (429, 5xx, timeout, connection error): the job is due again
     * after the backoff, or after the Retry-After Reverse Contact asked for when that is longer.
     * After the last attempt it goes to the dead letters instead.
     */
    public void retryLater(Exchange exchange) {
        EnrichmentJob job = job(exchange);
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (job.attempts() >= settings.maxAttempts()) {
            deadLetter(exchange);
            return;
        }
        Duration delay = settings.backoffAfter(job.attempts());
        Duration retryAfter = retryAfter(failure);
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter.compareTo(settings.retryMaxDelay()) > 0 ? settings.retryMaxDelay() : retryAfter;
        }
        String error = describe(failure);
        log.info("Enrichment job {} ({} {}) failed on attempt {}, retrying in {}: {}",
                job.id(), job.type().code(), job.entityId(), job.attempts(), delay, error);
        jdbc.update("""
                update enrichment_jobs
                   set state = 'pending', next_attempt_at = now() + :delayMillis * interval '1 millisecond',
                       last_error = :error, lease_owner = null, lease_until = null, updated_at = now()
                 where id = :id and lease_owner = :owner and state = 'running'""",
                new MapSqlParameterSource().addValue("id", job.id()).addValue("owner", owner)
                        .addValue("delayMillis", delay.toMillis()).addValue("error", error));
    }

    /**
     * A failure retrying cannot fix (4xx other than 429, a malformed answer), or the last attempt:
     * the job becomes dead and its row, as JSON, goes to {@code dead_letters} with the error, in one
     * statement. {@code operations.DeadLetterReplay} puts it back.
     */
    public void deadLetter(Exchange exchange) {
        String routeId = ExchangeHelper.getAtRouteId(exchange);
        EnrichmentJob job = job(exchange);
        String error = describe(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        log.warn("Enrichment job {} ({} {}) dead-lettered after {} attempt(s): {}",
                job.id(), job.type().code(), job.entityId(), job.attempts(), error);
        jdbc.update("""
                with dead as (
                    update enrichment_jobs
                       set state = 'dead', last_error = :error, finished_at = now(),
                           lease_owner = null, lease_until = null, updated_at = now()
                     where id = :id and lease_owner = :owner and state = 'running'
                    returning *)
                insert into dead_letters (route_id, job_id, payload, error)
                select :routeId, dead.id, to_jsonb(dead), :error from dead""",
                new MapSqlParameterSource().addValue("id", job.id()).addValue("owner", owner)
                        .addValue("error", error).addValue("routeId", routeId));
    }

    private static EnrichmentJob job(Exchange exchange) {
        EnrichmentJob job = exchange.getProperty(EnrichmentJob.PROPERTY, EnrichmentJob.class);
        if (job == null) {
            throw new IllegalStateException("exchange carries no enrichment job");
        }
        return job;
    }

    /** Retry-After of a 429 or 503, in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(Throwable failure) {
        if (!(failure instanceof HttpOperationFailedException http) || http.getResponseHeaders() == null) {
            return null;
        }
        String value = null;
        for (Map.Entry<String, String> header : http.getResponseHeaders().entrySet()) {
            if ("Retry-After".equalsIgnoreCase(header.getKey())) {
                value = header.getValue();
            }
        }
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    /** A short error text for last_error and dead_letters: status and endpoint, never headers or keys. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        String text;
        if (failure instanceof HttpOperationFailedException http) {
            String uri = http.getUri() == null ? "" : http.getUri().replaceFirst("\\?.*$", "");
            String body = http.getResponseBody() == null ? "" : http.getResponseBody().strip();
            text = "HTTP " + http.getStatusCode() + " from " + uri + (body.isEmpty() ? "" : ": " + body);
        } else {
            text = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        }
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH) + "...";
    }

    private static String instanceName() {
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + ManagementFactory.getRuntimeMXBean().getPid();
        } catch (UnknownHostException | RuntimeException e) {
            return "instance-" + ProcessHandle.current().pid();
        }
    }
}
