package com.example.crm.webhooks.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The application's DataSource, with a circuit breaker in front of the pool: once the database is
 * known to be unreachable, asking for a connection fails at once instead of waiting out the pool's
 * connection timeout, so a webhook keeps its delivery in the intake spool in milliseconds and the
 * caller is answered at once. A background probe asks the pool for a connection every
 * {@code probeInterval}; the first that is valid closes the circuit again.
 *
 * <p>What opens it: any failure that says the database is gone ({@link DatabaseFailures#isDatabaseGone}),
 * wherever it shows: a connection the pool could not make (the pool's timeout with a connection
 * failure), or a statement on a pooled connection that the server ended under it (PostgreSQL's
 * 57P01 when an administrator or a failover ends the sessions; the pool reports those through
 * {@link #statementFailed}) and the database then gives no new connection either, so readiness
 * and the spool agree with what the caller of that statement is told at once, not once the pool
 * next fails to connect. A pool with no connection at
 * all that times out cannot reach the database either. A pool that was only busy (every connection
 * in use past the timeout) is not a dead database and leaves the circuit closed; that delivery is
 * spooled, the next one tries again.
 */
public class DatabaseCircuit extends DelegatingDataSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseCircuit.class);

    private final Duration probeInterval;
    private final IntSupplier openConnections;
    private final AtomicBoolean open = new AtomicBoolean();
    private volatile Instant openedAt;
    private final ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "database-circuit-probe");
        thread.setDaemon(true);
        return thread;
    });

    /** {@code openConnections} tells how many connections the pool holds now (-1: unknown). */
    public DatabaseCircuit(DataSource pool, Duration probeInterval, IntSupplier openConnections) {
        super(pool);
        this.probeInterval = probeInterval;
        this.openConnections = openConnections;
    }

    @Override
    public Connection getConnection() throws SQLException {
        failFastWhileOpen();
        try {
            return super.getConnection();
        } catch (SQLException e) {
            openIfUnreachable(e, openConnections.getAsInt() == 0);
            throw e;
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        failFastWhileOpen();
        try {
            return super.getConnection(username, password);
        } catch (SQLException e) {
            openIfUnreachable(e, openConnections.getAsInt() == 0);
            throw e;
        }
    }

    /**
     * A statement on a pooled connection failed. When the failure says the database is gone, the
     * pool is asked for another connection at once, on the caller's thread, so the circuit is open
     * before the caller is answered; it stays closed when the database answers that (one session
     * ended, a trigger raising the code, the database back already).
     */
    public void statementFailed(SQLException failure) {
        if (!open.get() && DatabaseFailures.isDatabaseGone(failure) && !answers()) {
            openIfUnreachable(failure, false);
        }
    }

    /** Whether the database is known to be unreachable right now. */
    public boolean isOpen() {
        return open.get();
    }

    /** Since when the database has been unreachable, or null while it answers. */
    public Instant openSince() {
        return open.get() ? openedAt : null;
    }

    private void failFastWhileOpen() throws SQLTransientConnectionException {
        if (open.get()) {
            throw new SQLTransientConnectionException("database unavailable since " + openedAt
                    + " (circuit open; probing every " + probeInterval.toMillis() + " ms)", "08001");
        }
    }

    /** {@code noConnection}: the pool could give no connection at all, so a timeout was no busy pool. */
    private void openIfUnreachable(SQLException failure, boolean noConnection) {
        boolean unreachable = DatabaseFailures.isDatabaseGone(failure)
                || noConnection && failure instanceof SQLTransientConnectionException;
        if (!unreachable || !open.compareAndSet(false, true)) {
            return;
        }
        openedAt = Instant.now();
        log.warn("Database unreachable ({}): webhooks are kept in the intake spool until it answers again",
                failure.getMessage());
        scheduleProbe();
    }

    private void scheduleProbe() {
        try {
            probe.schedule(this::probe, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // shutting down: nothing left to probe for
        }
    }

    private void probe() {
        if (answers()) {
            open.set(false);
            log.info("Database answers again after {} s", Duration.between(openedAt, Instant.now()).toSeconds());
            return;
        }
        scheduleProbe();
    }

    /** Whether the pool gives a connection that answers. */
    private boolean answers() {
        try (Connection connection = super.getConnection()) {
            return connection.isValid(1);
        } catch (SQLException | RuntimeException down) {
            log.debug("Database unreachable: {}", down.getMessage());
            return false;
        }
    }

    /** Stops the probe and closes the pool (Spring closes this bean in the pool's place). */
    @Override
    public void close() throws Exception {
        probe.shutdownNow();
        if (getTargetDataSource() instanceof AutoCloseable pool) {
            pool.close();
        }
    }
}
