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
 * <p>What opens it: a connection the pool could not give because the database refused or did not
 * answer (the pool's timeout with a connection failure, SQLState class 08, or 57P: shutting down
 * or starting up). A pool that was only busy (every connection in use past the timeout) is not a
 * dead database and leaves the circuit closed; that delivery is spooled, the next one tries again.
 * A statement that fails on a pooled connection whose database went away does not open it either:
 * the pool drops that connection, and the next one it cannot make does.
 */
public class DatabaseCircuit extends DelegatingDataSource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseCircuit.class);

    private final Duration probeInterval;
    private final AtomicBoolean open = new AtomicBoolean();
    private volatile Instant openedAt;
    private final ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "database-circuit-probe");
        thread.setDaemon(true);
        return thread;
    });

    public DatabaseCircuit(DataSource pool, Duration probeInterval) {
        super(pool);
        this.probeInterval = probeInterval;
    }

    @Override
    public Connection getConnection() throws SQLException {
        failFastWhileOpen();
        try {
            return super.getConnection();
        } catch (SQLException e) {
            openIfUnreachable(e);
            throw e;
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        failFastWhileOpen();
        try {
            return super.getConnection(username, password);
        } catch (SQLException e) {
            openIfUnreachable(e);
            throw e;
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

    private void openIfUnreachable(SQLException failure) {
        if (!isUnreachable(failure) || !open.compareAndSet(false, true)) {
            return;
        }
        openedAt = Instant.now();
        log.warn("Database unreachable ({}): webhooks are kept in the intake spool until it answers again",
                failure.getMessage());
        scheduleProbe();
    }

    /** A connection failure (class 08) or a server shutting down or starting (57P), anywhere in the chain. */
    static boolean isUnreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private void scheduleProbe() {
        try {
            probe.schedule(this::probe, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // shutting down: nothing left to probe for
        }
    }

    private void probe() {
        try (Connection connection = super.getConnection()) {
            if (connection.isValid(1)) {
                open.set(false);
                log.info("Database answers again after {} s", Duration.between(openedAt, Instant.now()).toSeconds());
                return;
            }
        } catch (SQLException | RuntimeException stillDown) {
            log.debug("Database still unreachable: {}", stillDown.getMessage());
        }
        scheduleProbe();
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
