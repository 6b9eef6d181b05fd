package com.example.crm.webhooks.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL 17 (zonky's binaries, from Maven Central) for tests and the embedded mode.
 * PostgreSQL refuses to run as root; zonky then starts it through {@code unshare -U}, where it
 * sees an unprivileged user, which is how it runs in CI.
 */
public final class EmbeddedPostgresServer {

    private EmbeddedPostgresServer() {
    }

    /** Starts a server keeping its data in {@code dataDirectory}; {@code port} 0 picks a free one. */
    public static EmbeddedPostgres start(Path dataDirectory, boolean cleanDataDirectory, int port) {
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(cleanDataDirectory)
                    .setPort(port)
                    .setServerConfig("max_connections", "200")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }
}
