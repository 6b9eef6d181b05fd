package com.example.crm.webhooks.enrichment;

import com.example.crm.webhooks.logging.LogText;
import com.example.crm.webhooks.logging.OutageLog;
import com.example.crm.webhooks.reversecontact.ReverseContactAccess;
import com.example.crm.webhooks.reversecontact.ReverseContactApi;
import com.example.crm.webhooks.reversecontact.ReverseContactErrors;
import com.example.crm.webhooks.twilio.TwilioMediaCopies;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.RuntimeExpressionException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The durable job queue behind enrichment ({@code enrichment_jobs}). The enrichment routes
 * (routes/enrichment-*.camel.yaml) claim, complete, reschedule and dead-letter jobs with their own
 * {@code sql:} steps; this class gives those steps their values (this instance's lease, the backoff,
 * the error text), notes whether the poller reaches the database, and reads what operators see:
 * dead letters listed and counted, jobs counted by state. Every write to {@code dead_letters} is in
 * routes/dead-letters.camel.yaml.
 *
 * <p>An instance claims due jobs under a lease with {@code FOR UPDATE SKIP LOCKED}, so any number
 * of instances share the work; a job whose instance died is due again when its lease runs out.
 * Each claim has a lease owner of its own, and every later write names it (the entity's columns
 * and picture key too, through the SQL functions {@code enrichment_job_leased_to} and
 * {@code enrichment_lease_held}), so a run whose lease was taken over, by another instance or by a
 * later claim of this one, or whose job a newer resolve callback re-pointed, changes nothing.
 *
 * <p>An entity has at most one open (pending or running) job, for its newest LinkedIn URL (the
 * partial unique index {@code enrichment_jobs_one_open}); a replay keeps to that.
 */
@Component("enrichmentQueue")
public class EnrichmentQueue {

    /** Enrichment job states, for the gauges. */
    public static final List<String> JOB_STATES = List.of("pending", "running", "done", "dead");

    /** The entity type of a media copy job (routes/twilio-media.camel.yaml). */
    public static final String MEDIA_JOB = "message_media";

    private static final Logger log = LoggerFactory.getLogger(EnrichmentQueue.class);
    private static final int MAX_ERROR_LENGTH = 1000;

    private final NamedParameterJdbcTemplate jdbc;
    private final EnrichmentSettings settings;
    private final EnrichmentThreadPool workers;
    private final ReverseContactAccess reverseContact;
    private final ReverseContactApi reverseContactApi;
    private final TwilioMediaCopies mediaCopies;
    private final Duration refreshPeriod;
    private final String instance = instanceName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong claims = new AtomicLong();
    private final OutageLog database = new OutageLog(log, "Enrichment poller", "the database");

    public EnrichmentQueue(NamedParameterJdbcTemplate jdbc, EnrichmentSettings settings, EnrichmentThreadPool workers,
                           ReverseContactAccess reverseContact, ReverseContactApi reverseContactApi,
                           TwilioMediaCopies mediaCopies, @Value("${enrichment.refresh-period}") Duration refreshPeriod) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.workers = workers;
        this.reverseContact = reverseContact;
        this.reverseContactApi = reverseContactApi;
        this.mediaCopies = mediaCopies;
        this.refreshPeriod = refreshPeriod;
    }

    /**
     * How long a resolve callback with the URL the entity's latest job already has queues no new
     * job (each job is a paid call to Reverse Contact), in milliseconds for the resolve statement.
     */
    public long refreshPeriodMillis() {
        return refreshPeriod.toMillis();
    }

    /**
     * What the claim step asks for: a lease owner of this claim's own (this instance, and the claim's
     * number), the lease's length, how many jobs to take (as many as there are idle workers, at most
     * a batch) and of which kinds: profile jobs while Reverse Contact has a key, media copies while
     * Twilio credentials are set. While Reverse Contact refuses our key, profile jobs wait but for a
     * probe now and then (a claim of that one job alone); media copies go on.
     */
    public Map<String, Object> claimParameters() {
        String leaseOwner = instance + "#" + claims.incrementAndGet();
        int jobs = Math.min(settings.batchSize(), workers.idleWorkers());
        boolean profileJobs = reverseContactApi.readyForJobs();
        boolean mediaJobs = mediaCopies.copyEnabled();
        if (jobs > 0 && profileJobs && reverseContact.isPaused()) {
            if (reverseContact.takeProbe(leaseOwner)) {
                jobs = 1;
                mediaJobs = false;
            } else {
                profileJobs = false;
            }
        }
        if (!profileJobs && !mediaJobs) {
            jobs = 0;
        }
        return Map.of("leaseOwner", leaseOwner, "leaseMillis", settings.lease().toMillis(), "batchSize", jobs,
                "profileJobs", profileJobs, "mediaJobs", mediaJobs);
    }

    /** The poller's claim found the database unavailable: one WARN per outage, and jobs wait in the queue. */
    public void claimFailed(Throwable failure) {
        database.down(failure);
    }

    /** The poller's claim reached the database: one INFO if it did not before. */
    public void claimed() {
        database.answered();
    }

    /** Since when the poller has not reached the database, or null while it does. */
    public Instant databaseDownSince() {
        return database.downSince();
    }

    /**
     * A job that failed for a reason that may pass (429, 5xx, timeout, connection error, after the
     * route's quick redeliveries): the parameters of its reschedule, due again after the backoff, or
     * after the Retry-After Reverse Contact asked for when that is longer.
     */
    public Map<String, Object> retry(Map<String, Object> job, Throwable failure) {
        int attempts = ((Number) job.get("attempts")).intValue();
        Duration delay = settings.backoffAfter(attempts);
        Duration retryAfter = retryAfter(failure);
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter.compareTo(settings.retryMaxDelay()) > 0 ? settings.retryMaxDelay() : retryAfter;
        }
        String error = describe(failure);
        log.info("Enrichment job {} ({} {}) failed on attempt {}, retrying in {}: {}",
                job.get("id"), job.get("entity_type"), entityId(job), attempts, delay, error);
        Map<String, Object> reschedule = ownedJob(job);
        reschedule.put("delayMillis", delay.toMillis());
        reschedule.put("error", error);
        return reschedule;
    }

    /** A job that failed for good (a failure retrying cannot fix, or its last attempt): the parameters of its dead letter. */
    public Map<String, Object> deadLetter(Map<String, Object> job, Throwable failure) {
        String error = describe(failure);
        log.warn("Enrichment job {} ({} {}) dead-lettered after {} attempt(s): {}",
                job.get("id"), job.get("entity_type"), entityId(job), job.get("attempts"), error);
        Map<String, Object> dead = ownedJob(job);
        dead.put("error", error);
        dead.put("routeId", MEDIA_JOB.equals(job.get("entity_type")) ? "copy-twilio-media" : "enrich-job");
        return dead;
    }

    /**
     * A job Reverse Contact refused for our key or credits (401, 402, 403; enrichment pauses): the
     * parameters that put it back in the queue, due now, its attempt not counted.
     */
    public Map<String, Object> putBack(Map<String, Object> job, Throwable failure) {
        Map<String, Object> back = ownedJob(job);
        back.put("error", describe(failure));
        return back;
    }

    /** A job whose URL has no profile (Reverse Contact's 404, no credit spent): done, with the reason. */
    public Map<String, Object> notFound(Map<String, Object> job, Throwable failure) {
        String message = failure instanceof HttpOperationFailedException http ? ReverseContactErrors.message(http.getResponseBody()) : null;
        Map<String, Object> done = ownedJob(job);
        done.put("reason", LogText.escape("not found: " + (message == null ? "Reverse Contact has no profile at this URL" : message),
                MAX_ERROR_LENGTH));
        return done;
    }

    private static Map<String, Object> ownedJob(Map<String, Object> job) {
        Map<String, Object> owned = new HashMap<>();
        owned.put("jobId", job.get("id"));
        owned.put("leaseOwner", job.get("lease_owner"));
        return owned;
    }

    /**
     * One dead letter as an operator sees it: an enrichment job's ({@code jobId}) or a spooled
     * delivery's ({@code deliveryId}). The stored headers stay out: they may carry credentials.
     */
    public record DeadLetter(String id, String routeId, String jobId, String deliveryId, String payload, String error,
                             Instant failedAt, Instant replayedAt) {
    }

    /** Dead letters, newest first; {@code includeReplayed} false lists only the open ones. */
    public List<DeadLetter> deadLetters(int limit, int offset, boolean includeReplayed) {
        return jdbc.query("""
                select id, route_id, job_id, delivery_id, payload::text as payload, error, failed_at, replayed_at
                from dead_letters
                where :includeReplayed or replayed_at is null
                order by failed_at desc, id
                limit :limit offset :offset
                """, new MapSqlParameterSource(Map.of("includeReplayed", includeReplayed, "limit", limit, "offset", offset)),
                (rs, row) -> new DeadLetter(rs.getString("id"), rs.getString("route_id"), rs.getString("job_id"),
                        rs.getString("delivery_id"), rs.getString("payload"), rs.getString("error"), instant(rs.getTimestamp("failed_at")),
                        instant(rs.getTimestamp("replayed_at"))));
    }

    /** The open dead letters of deliveries from the intake spool, oldest first (their replay is a route's). */
    public List<String> openSpooledDeadLetters() {
        return jdbc.getJdbcTemplate().queryForList(
                "select id from dead_letters where replayed_at is null and delivery_id is not null order by failed_at", String.class);
    }

    /** Dead letters not replayed yet. */
    public long openDeadLetters() {
        Long open = jdbc.getJdbcTemplate().queryForObject("select count(*) from dead_letters where replayed_at is null", Long.class);
        return open == null ? 0 : open;
    }

    /** Jobs by state and the open dead letters (under {@code deadLetterKey}), in one round trip. */
    public Map<String, Long> counts(String deadLetterKey) {
        Map<String, Long> result = new HashMap<>();
        jdbc.query("""
                select state, count(*) from enrichment_jobs group by state
                union all
                select :deadLetters, count(*) from dead_letters where replayed_at is null
                """, Map.of("deadLetters", deadLetterKey), rs -> {
            result.put(rs.getString(1), rs.getLong(2));
        });
        return result;
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

    /**
     * A short error text for last_error, dead_letters and the log: status, endpoint and Reverse
     * Contact's message (its {@code error}, text or {@code {message, code}}; else the answer as
     * text), never headers or keys; line breaks and controls escaped ({@link LogText}).
     */
    static String describe(Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        // A bean step's own exception, not Camel's wrapper around it, says what went wrong. (Camel's
        // other wrappers stay: a failed send names its endpoint, aws2-s3:// say.)
        while (failure instanceof RuntimeExpressionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        String text;
        if (failure instanceof HttpOperationFailedException http) {
            String uri = http.getUri() == null ? "" : http.getUri().replaceFirst("\\?.*$", "");
            String message = ReverseContactErrors.message(http.getResponseBody());
            if (message == null) {
                message = http.getResponseBody() == null ? "" : http.getResponseBody().strip();
            }
            text = "HTTP " + http.getStatusCode() + " from " + uri + (message.isEmpty() ? "" : ": " + message);
        } else {
            text = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        }
        return LogText.escape(text, MAX_ERROR_LENGTH);
    }

    /** The job's entity id for a log line: it came in a caller's query string. */
    private static String entityId(Map<String, Object> job) {
        return LogText.token((String) job.get("entity_id"), 80);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String instanceName() {
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + ManagementFactory.getRuntimeMXBean().getPid();
        } catch (UnknownHostException | RuntimeException e) {
            return "instance-" + ProcessHandle.current().pid();
        }
    }
}
