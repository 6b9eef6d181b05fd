package com.example.crm.webhooks.intake;

import com.example.crm.webhooks.edge.SpoolUnavailableException;
import com.example.crm.webhooks.edge.WebhookRequests;
import com.example.crm.webhooks.logging.LogRateLimit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * What the intake spool takes, so no caller can fill it and a failed write leaves nothing behind:
 * <ul>
 *   <li>bounds on the whole spool (deliveries and bytes, R2 and the spool directory together) and on
 *       what one client address spooled in this outage; past one, the caller gets 503
 *       ({@link SpoolUnavailableException}), counted in {@code intake_spool_refused_total{reason}}
 *       and said in a WARN line (one a minute per reason);</li>
 *   <li>a free-space margin on the spool directory's disk, below which the directory takes nothing
 *       (a disk filled to the last byte fails writes half-way, and the host with it);</li>
 *   <li>the temporary file of a directory write that failed is removed, and stale ones (a crash
 *       mid-write) are removed at start-up and by the drain;</li>
 *   <li>{@link #whyNoSpoolTakes()}: why no spool can take a delivery now, for readiness.</li>
 * </ul>
 * A client's share is counted by this instance from the first delivery it spools until the spool is
 * seen empty again with the database answering; deliveries spooled at the same moment may pass a
 * whole-spool bound by as many as are being written then.
 */
@Component("intakeSpoolGuard")
public class IntakeSpoolGuard {

    private static final Logger log = LoggerFactory.getLogger(IntakeSpoolGuard.class);
    /** The prefix the spool directory's writes have until renamed whole (routes/intake.camel.yaml: tempPrefix). */
    static final String WRITING_PREFIX = ".writing-";
    /** A write takes milliseconds; a temporary file older than this was left by a crash. */
    private static final Duration STALE_WRITE = Duration.ofMinutes(1);

    /** Why a delivery was not spooled: the tag of intake_spool_refused_total. */
    public enum Refusal {
        /** The spool holds its bound of deliveries (INTAKE_SPOOL_MAX_DELIVERIES). */
        SPOOL_DELIVERIES,
        /** The spool holds its bound of bytes (INTAKE_SPOOL_MAX_BYTES). */
        SPOOL_BYTES,
        /** This client spooled its bound of deliveries (INTAKE_SPOOL_MAX_DELIVERIES_PER_CLIENT). */
        CLIENT_DELIVERIES,
        /** This client spooled its bound of bytes (INTAKE_SPOOL_MAX_BYTES_PER_CLIENT). */
        CLIENT_BYTES,
        /** R2 did not take it, and the spool directory's disk is below its margin (INTAKE_SPOOL_MIN_FREE_SPACE). */
        DISK_FULL,
        /** R2 did not take it, nor did the spool directory. */
        NO_SPOOL;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** What one client address spooled. Guarded by the guard. */
    private static final class Share {
        private int deliveries;
        private long bytes;
    }

    private final IntakeStatus status;
    private final long maxDeliveries;
    private final long maxBytes;
    private final long maxDeliveriesPerClient;
    private final long maxBytesPerClient;
    private final long minFreeSpace;
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Map<String, Share> shares = new HashMap<>();
    private final LogRateLimit warnings = new LogRateLimit(Duration.ofMinutes(1), Refusal.values().length);

    public IntakeSpoolGuard(IntakeStatus status, MeterRegistry registry,
                            @Value("${intake.max-deliveries}") long maxDeliveries,
                            @Value("${intake.max-bytes}") DataSize maxBytes,
                            @Value("${intake.max-deliveries-per-client}") long maxDeliveriesPerClient,
                            @Value("${intake.max-bytes-per-client}") DataSize maxBytesPerClient,
                            @Value("${intake.min-free-space}") DataSize minFreeSpace) {
        this.status = status;
        this.maxDeliveries = maxDeliveries;
        this.maxBytes = maxBytes.toBytes();
        this.maxDeliveriesPerClient = maxDeliveriesPerClient;
        this.maxBytesPerClient = maxBytesPerClient.toBytes();
        this.minFreeSpace = minFreeSpace.toBytes();
        for (Refusal refusal : Refusal.values()) {
            refused.put(refusal, Counter.builder("intake.spool.refused")
                    .description("Deliveries the database could not take and the intake spool did not either (answered 503)")
                    .tag("reason", refusal.label()).register(registry));
        }
        removeStaleWrites();
    }

    /**
     * Takes a document into the spool's bounds, counted against its client's share; a 503 past a
     * bound. Gives the document's size (the variable spooledBytes of routes/intake.camel.yaml).
     */
    public synchronized long admit(@Body byte[] document,
                                   @Variable(WebhookRequests.CLIENT_ADDRESS_VARIABLE) String clientAddress) {
        long bytes = document.length;
        if (status.depth() >= maxDeliveries) {
            throw refuse(Refusal.SPOOL_DELIVERIES, "the spool holds " + status.depth() + " deliveries, its bound");
        }
        if (status.bytes() + bytes > maxBytes) {
            throw refuse(Refusal.SPOOL_BYTES, "the spool holds " + status.bytes() + " bytes, its bound is " + maxBytes);
        }
        Share share = shares.computeIfAbsent(clientAddress == null ? "" : clientAddress, address -> new Share());
        if (maxDeliveriesPerClient > 0 && share.deliveries >= maxDeliveriesPerClient) {
            throw refuse(Refusal.CLIENT_DELIVERIES, clientAddress + " spooled " + share.deliveries + " deliveries, its bound");
        }
        if (maxBytesPerClient > 0 && share.bytes + bytes > maxBytesPerClient) {
            throw refuse(Refusal.CLIENT_BYTES, clientAddress + " spooled " + share.bytes + " bytes, its bound is " + maxBytesPerClient);
        }
        share.deliveries++;
        share.bytes += bytes;
        return bytes;
    }

    /**
     * Before a write to the spool directory: refuses it while the directory's disk has less than the
     * margin left (INTAKE_SPOOL_MIN_FREE_SPACE) beside the document.
     */
    public void requireRoomOnDisk(@Variable("spooledBytes") long bytes) throws IOException {
        long free = status.directoryFreeSpace();
        if (free - bytes < minFreeSpace) {
            throw new DiskFullException("the spool directory's disk has " + free + " bytes free, below its margin of "
                    + minFreeSpace + " (INTAKE_SPOOL_MIN_FREE_SPACE)");
        }
    }

    /**
     * Neither R2 nor the spool directory took the delivery: its temporary file (if the write began)
     * is removed, its client's share given back, and the refusal counted and logged. The caller's 503
     * follows.
     */
    public void notSpooled(SpooledDelivery spooled, long bytes, String clientAddress, Throwable failure) {
        try {
            Files.deleteIfExists(status.spoolDirectory().resolve(WRITING_PREFIX + spooled.fileName()));
        } catch (IOException | RuntimeException e) {
            log.debug("Could not remove the temporary file of {}: {}", spooled.fileName(), e.getMessage());
        }
        synchronized (this) {
            Share share = shares.get(clientAddress == null ? "" : clientAddress);
            if (share != null) {
                share.deliveries = Math.max(0, share.deliveries - 1);
                share.bytes = Math.max(0, share.bytes - bytes);
            }
        }
        Throwable reason = failure;
        while (reason != null && !(reason instanceof DiskFullException) && reason.getCause() != reason) {
            reason = reason.getCause();
        }
        boolean diskFull = reason instanceof DiskFullException;
        refuse(diskFull ? Refusal.DISK_FULL : Refusal.NO_SPOOL,
                diskFull ? reason.getMessage() : failure == null ? "no answer" : failure.getMessage());
    }

    /**
     * Why no spool can take a delivery now, for readiness: the spool is at a bound, or R2 does not
     * answer and the spool directory cannot be written or its disk is below the margin. Empty when
     * one can.
     */
    public Optional<String> whyNoSpoolTakes() {
        int depth = status.depth();
        if (depth >= maxDeliveries) {
            return Optional.of("the spool holds " + depth + " deliveries, its bound (INTAKE_SPOOL_MAX_DELIVERIES)");
        }
        long bytes = status.bytes();
        if (bytes >= maxBytes) {
            return Optional.of("the spool holds " + bytes + " bytes, its bound (INTAKE_SPOOL_MAX_BYTES)");
        }
        if (!Boolean.FALSE.equals(status.r2Answers())) {
            return Optional.empty();
        }
        if (!status.directoryWritable()) {
            return Optional.of("R2 does not answer and the spool directory cannot be written");
        }
        long free = status.directoryFreeSpace();
        if (free < minFreeSpace) {
            return Optional.of("R2 does not answer and the spool directory's disk is full: " + free
                    + " bytes free, below its margin (INTAKE_SPOOL_MIN_FREE_SPACE)");
        }
        return Optional.empty();
    }

    /** The spool directory's disk has room for the spool: above the margin. */
    public boolean directoryHasRoom() {
        return status.directoryFreeSpace() >= minFreeSpace;
    }

    /**
     * The spool was seen empty with the database answering: the outage is over, and every client's
     * share starts again from nothing at the next one (the drain's poll, every drain interval).
     */
    public synchronized void spoolDrained() {
        shares.clear();
    }

    /** How many client addresses spooled deliveries in this outage (their shares counted). */
    public synchronized int clients() {
        return shares.size();
    }

    /** Removes the temporary files of directory writes a crash interrupted (older than a write takes). */
    public void removeStaleWrites() {
        Path directory = status.spoolDirectory();
        if (!Files.isDirectory(directory)) {
            return;
        }
        Instant staleBefore = Instant.now().minus(STALE_WRITE);
        try (DirectoryStream<Path> writes = Files.newDirectoryStream(directory, WRITING_PREFIX + "*")) {
            for (Path write : writes) {
                if (Files.getLastModifiedTime(write).toInstant().isBefore(staleBefore)) {
                    Files.deleteIfExists(write);
                    log.info("Removed {}, the spool write a crash left unfinished", write.getFileName());
                }
            }
        } catch (IOException e) {
            log.debug("Could not look for unfinished spool writes in {}: {}", directory, e.getMessage());
        }
    }

    private SpoolUnavailableException refuse(Refusal refusal, String why) {
        refused.get(refusal).increment();
        OptionalLong heldBack = warnings.permit(refusal.label());
        if (heldBack.isPresent()) {
            log.warn("Intake spool refused a delivery ({}): {}; the caller got 503{}", refusal.label(), why,
                    heldBack.getAsLong() > 0 ? " (" + heldBack.getAsLong() + " more refusals like it since the last line)" : "");
        }
        return new SpoolUnavailableException("the database is unavailable and the intake spool refused the delivery: " + why);
    }

    /** The spool directory's disk is below its free-space margin. */
    static final class DiskFullException extends IOException {
        DiskFullException(String message) {
            super(message);
        }
    }
}
