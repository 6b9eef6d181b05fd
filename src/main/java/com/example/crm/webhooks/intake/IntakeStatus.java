package com.example.crm.webhooks.intake;

import com.example.crm.webhooks.database.DatabaseCircuit;
import com.example.crm.webhooks.edge.WebhookCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Where the intake stands: whether the database answers (its circuit), how many deliveries wait in
 * the spool (in R2, as the drain last listed it, and in the spool directory) and since when, and
 * whether R2 and the directory can take more. Its state is {@code normal} (the database answers,
 * nothing waits), {@code spooling} (the database does not answer: deliveries go to the spool) or
 * {@code draining} (it answers again, and the spool is being applied). Prometheus reads
 * {@code intake_spool_depth}, {@code intake_spool_bytes}, {@code intake_spool_oldest_age_seconds},
 * {@code intake_drained_total{endpoint}} and {@code intake_dead_lettered_total{endpoint}} here.
 */
@Component("intakeStatus")
public class IntakeStatus implements MeterBinder {

    /** The exchange variable the drain keeps a pass's R2 listing in. */
    static final String LISTING_VARIABLE = "listing";
    private static final Logger log = LoggerFactory.getLogger(IntakeStatus.class);
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'");
    /** The directory is counted at most this often (a scrape, a health check and the drain may all ask). */
    private static final Duration DIRECTORY_COUNT_AGE = Duration.ofSeconds(2);

    private final DatabaseCircuit database;
    private final Path spoolDirectory;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Counter> drained = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();
    private MeterRegistry registry;

    private volatile int r2Depth;
    private volatile long r2Bytes;
    private volatile Instant r2Oldest;
    /** Whether R2 answered the last spool write or listing; null before either. */
    private volatile Boolean r2Answers;
    private volatile DirectoryCount directoryCount = new DirectoryCount(0, 0, null, Instant.MIN);

    private record DirectoryCount(int depth, long bytes, Instant oldest, Instant countedAt) {
    }

    private final String r2Bucket;
    private final String r2Prefix;
    private final WebhookCatalog webhooks;

    public IntakeStatus(DataSource dataSource, @Value("${intake.spool-dir}") String spoolDirectory,
                        @Value("${r2.bucket}") String r2Bucket, @Value("${intake.r2-prefix}") String r2Prefix,
                        WebhookCatalog webhooks) {
        this.webhooks = webhooks;
        this.r2Bucket = r2Bucket;
        this.database = dataSource instanceof DatabaseCircuit circuit ? circuit : null;
        this.spoolDirectory = Path.of(spoolDirectory);
        this.r2Prefix = r2Prefix;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        webhooks.onWebhook(route -> {
            drainedCounter(route);
            deadLetterCounter(route);
        });
        Gauge.builder("intake.spool.depth", this, IntakeStatus::depth)
                .description("Deliveries waiting in the intake spool (R2 and the spool directory)").register(registry);
        Gauge.builder("intake.spool.bytes", this, IntakeStatus::bytes).baseUnit("bytes")
                .description("Bytes of the documents waiting in the intake spool (R2 and the spool directory)").register(registry);
        Gauge.builder("intake.spool.oldest.age", this, status -> status.oldestAge().toMillis() / 1000.0)
                .baseUnit("seconds").description("How long the oldest spooled delivery has waited").register(registry);
    }

    /** Whether the database answers: its circuit is closed. */
    public boolean databaseAnswers() {
        return database == null || !database.isOpen();
    }

    /** normal, spooling or draining. */
    public String state() {
        if (!databaseAnswers()) {
            return "spooling";
        }
        return depth() > 0 ? "draining" : "normal";
    }

    /** A new listing of the R2 spool, read page by page by the drain. */
    public R2SpoolListing newR2Listing() {
        return new R2SpoolListing(r2Bucket, r2Prefix);
    }

    /** A page R2 listed (the body), added to this pass's listing. */
    public void listedR2Page(@Variable(LISTING_VARIABLE) R2SpoolListing listing, List<S3Object> page) {
        listing.add(page);
    }

    /**
     * The keys of the spooled deliveries R2 listed (every page), oldest first: each instance applies
     * them in receive order. Records how many wait and since when. Two instances draining at once may
     * reach for the same delivery: it is applied once either way (the ledger), and the stores keep
     * receive order whatever order deliveries are applied in (a person's alerts chain by receive
     * time, an entity's LinkedIn URL is the newest callback's, a message's status never goes back).
     */
    public List<String> listedInR2(List<S3Object> objects) {
        r2Answers = true;
        List<S3Object> spooled = objects.stream().filter(object -> object.key().endsWith(".json")).toList();
        List<String> keys = spooled.stream().map(S3Object::key).sorted().toList();
        synchronized (this) {
            r2Depth = keys.size();
            r2Bytes = spooled.stream().mapToLong(object -> object.size() == null ? 0 : object.size()).sum();
        }
        r2Oldest = keys.isEmpty() ? null : receivedAt(keys.get(0).substring(r2Prefix.length()));
        return keys;
    }

    /** R2 took a spooled document of {@code bytes}: counted until the next listing counts it. */
    public synchronized void spooledInR2(long bytes) {
        r2Answers = true;
        r2Depth++;
        r2Bytes += bytes;
    }

    /** The spool directory took a spooled document of {@code bytes}: counted until the next count of the directory. */
    public synchronized void spooledInDirectory(long bytes) {
        DirectoryCount count = directoryCount;
        directoryCount = new DirectoryCount(count.depth() + 1, count.bytes() + bytes, count.oldest(), count.countedAt());
    }

    /** R2 refused or did not answer a spool write or listing. */
    public void r2Failed(Throwable failure) {
        if (!Boolean.FALSE.equals(r2Answers)) {
            log.warn("R2 does not take the intake spool ({}): deliveries go to {} while the database is unavailable",
                    failure == null ? "no answer" : failure.getMessage(), spoolDirectory.toAbsolutePath());
        }
        r2Answers = false;
    }

    /** A spooled delivery was applied. */
    public void drained(String route) {
        drainedCounter(route).increment();
    }

    /** A spooled delivery the database refused for good became a dead letter. */
    public void deadLettered(String route) {
        deadLetterCounter(route).increment();
    }

    public int depth() {
        return r2Depth + directory().depth();
    }

    /** The bytes of the documents waiting in the spool (R2 and the spool directory). */
    public long bytes() {
        return r2Bytes + directory().bytes();
    }

    /** How long the oldest spooled delivery has waited; zero when none waits. */
    public Duration oldestAge() {
        Instant oldest = r2Oldest;
        Instant inDirectory = directory().oldest();
        if (oldest == null || (inDirectory != null && inDirectory.isBefore(oldest))) {
            oldest = inDirectory;
        }
        return oldest == null ? Duration.ZERO : Duration.between(oldest, clock.instant());
    }

    /** Whether R2 answered last time it was asked; null before it was. */
    public Boolean r2Answers() {
        return r2Answers;
    }

    /** Whether the spool directory exists, or can be made, and can be written. */
    public boolean directoryWritable() {
        try {
            Files.createDirectories(spoolDirectory);
            return Files.isWritable(spoolDirectory);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** The space left for the spool directory's files on its disk; 0 when it cannot be found. */
    public long directoryFreeSpace() {
        try {
            return Files.getFileStore(spoolDirectory).getUsableSpace();
        } catch (IOException | SecurityException e) {
            return 0;
        }
    }

    public Path spoolDirectory() {
        return spoolDirectory;
    }

    private DirectoryCount directory() {
        DirectoryCount count = directoryCount;
        Instant now = clock.instant();
        if (count.countedAt().plus(DIRECTORY_COUNT_AGE).isAfter(now)) {
            return count;
        }
        int depth = 0;
        long bytes = 0;
        String first = null;
        if (Files.isDirectory(spoolDirectory)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(spoolDirectory, "*.json")) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.startsWith(".")) {
                        continue; // still being written (renamed when whole)
                    }
                    depth++;
                    bytes += size(file);
                    first = first == null || name.compareTo(first) < 0 ? name : first;
                }
            } catch (IOException e) {
                log.debug("Could not count the spool directory: {}", e.getMessage());
            }
        }
        DirectoryCount counted = new DirectoryCount(depth, bytes, first == null ? null : receivedAt(first), now);
        synchronized (this) {
            directoryCount = counted;
        }
        return counted;
    }

    /** A spooled file's size; 0 when it went meanwhile (applied). */
    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The receive time a spooled delivery's name starts with. */
    private static Instant receivedAt(String name) {
        try {
            return LocalDateTime.parse(name.substring(0, name.indexOf('-')), NAME_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }

    private Counter drainedCounter(String route) {
        return drained.computeIfAbsent(route, r -> Counter.builder("intake.drained")
                .description("Spooled deliveries applied").tag("endpoint", r).register(registry));
    }

    private Counter deadLetterCounter(String route) {
        return deadLettered.computeIfAbsent(route, r -> Counter.builder("intake.dead.lettered")
                .description("Spooled deliveries the database refused for good, kept as dead letters").tag("endpoint", r)
                .register(registry));
    }
}
