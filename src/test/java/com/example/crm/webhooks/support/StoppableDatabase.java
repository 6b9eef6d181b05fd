package com.example.crm.webhooks.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.util.FileSystemUtils;

/**
 * A PostgreSQL of a test's own that the test can stop under a running service and start again, on
 * the same port with the same data, as an outage does. Close it when done: it stops and its data
 * directory goes.
 */
public final class StoppableDatabase implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private final String jdbcUrl;
    private EmbeddedPostgres running;

    private StoppableDatabase(Path dataDirectory, EmbeddedPostgres running) {
        this.dataDirectory = dataDirectory;
        this.running = running;
        this.port = running.getPort();
        this.jdbcUrl = running.getJdbcUrl("postgres", "postgres");
    }

    /** Starts one on a free port, its data in a new temporary directory named after {@code name}. */
    public static StoppableDatabase start(String name) {
        try {
            Path dataDirectory = Files.createTempDirectory(name + "-pg");
            // Not "clean": zonky deletes a clean data directory when it stops, and the restart needs it.
            return new StoppableDatabase(dataDirectory, EmbeddedPostgresServer.start(dataDirectory, false, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** Stops the server, as an outage does: connections fail until {@link #restart}. */
    public void stop() {
        if (running != null) {
            try {
                running.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                running = null;
            }
        }
    }

    /** Starts it again on the same port, with the data it had. */
    public void restart() {
        if (running == null) {
            running = EmbeddedPostgresServer.start(dataDirectory, false, port);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            FileSystemUtils.deleteRecursively(dataDirectory.toFile());
        }
    }
}
