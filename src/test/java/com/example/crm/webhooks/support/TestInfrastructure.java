package com.example.crm.webhooks.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.util.FileSystemUtils;

/**
 * The real parts the tests run against, started once per test JVM: PostgreSQL, an S3 API server,
 * and WireMock standing in for the third parties we cannot reach (Reverse Contact, image hosts).
 */
public final class TestInfrastructure {

    public static final String BUCKET = "webhook-test-bucket";
    public static final String TWILIO_AUTH_TOKEN = "test-twilio-auth-token";
    public static final String PUBLIC_BASE_URL = "https://public.example.com";
    /** National numbers in the tests are Australian: {@code 0412 345 678} is {@code +61412345678}. */
    public static final String DEFAULT_PHONE_REGION = "AU";
    public static final String REVERSECONTACT_API_KEY = "test-reversecontact-key";

    private static EmbeddedPostgres postgres;
    private static S3CompatibleServer s3;
    private static WireMockServer thirdParties;
    private static Path intakeSpool;

    private TestInfrastructure() {
    }

    public static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgresServer.start(Files.createTempDirectory("webhook-test-pg"), true, 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return postgres;
    }

    public static synchronized S3CompatibleServer s3() {
        if (s3 == null) {
            s3 = S3CompatibleServer.inMemory();
            s3.createBucket(BUCKET);
        }
        return s3;
    }

    /** WireMock for Reverse Contact's API and the image hosts its profiles point at. */
    public static synchronized WireMockServer thirdParties() {
        if (thirdParties == null) {
            thirdParties = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
            thirdParties.start();
            Runtime.getRuntime().addShutdownHook(new Thread(thirdParties::stop));
        }
        return thirdParties;
    }

    /** A new, empty intake spool directory, deleted when the test JVM ends. */
    public static Path newSpoolDirectory(String name) {
        try {
            Path directory = Files.createTempDirectory("intake-spool-" + name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(directory.toFile())));
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shared application's intake spool directory. */
    public static synchronized Path intakeSpool() {
        if (intakeSpool == null) {
            intakeSpool = newSpoolDirectory("shared");
        }
        return intakeSpool;
    }

    /** Whether the shared application's intake spool holds nothing, in R2 or in its directory. */
    public static boolean sharedIntakeSpoolIsEmpty() {
        try (var files = Files.list(intakeSpool())) {
            return s3().keys(BUCKET, "intake/").isEmpty() && files.noneMatch(file -> file.toString().endsWith(".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties the shared application's intake spool: its objects in R2 and its files. */
    public static void emptySharedIntakeSpool() {
        s3().deleteAll(BUCKET, "intake/");
        try (var files = Files.list(intakeSpool())) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port nothing listens on (yet). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String jdbcUrl() {
        return postgres().getJdbcUrl("postgres", "postgres");
    }

    /**
     * A new, empty database on the shared server (the service's migrations run when an instance
     * starts on it), for tests whose instances must not meet the shared application's poller.
     * Returns its JDBC URL.
     */
    public static String newDatabase(String name) {
        try (Connection connection = postgres().getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return postgres().getJdbcUrl("postgres", name);
    }

    /**
     * {@link #newDatabase} with the service's migrations applied, as a service leaves it at start-up:
     * for tests that write rows before a service of their own starts on it.
     */
    public static String newMigratedDatabase(String name) {
        String jdbcUrl = newDatabase(name);
        Flyway.configure().dataSource(jdbcUrl, "postgres", null).locations("classpath:db/migration").load().migrate();
        return jdbcUrl;
    }

    /** Points the application at the parts above; the values are the same for every test class. */
    public static void register(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestInfrastructure::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "");
        registry.add("r2.endpoint", () -> s3().endpoint());
        registry.add("r2.bucket", () -> BUCKET);
        registry.add("r2.region", () -> "auto");
        registry.add("r2.access-key-id", () -> S3CompatibleServer.ACCESS_KEY_ID);
        registry.add("r2.secret-access-key", () -> S3CompatibleServer.SECRET_ACCESS_KEY);
        registry.add("reversecontact.base-url", () -> thirdParties().baseUrl());
        registry.add("reversecontact.api-key", () -> REVERSECONTACT_API_KEY);
        registry.add("twilio.auth-token", () -> TWILIO_AUTH_TOKEN);
        registry.add("webhooks.public-base-url", () -> PUBLIC_BASE_URL);
        registry.add("phone.default-region", () -> DEFAULT_PHONE_REGION);
        registry.add("intake.spool-dir", () -> intakeSpool().toString());
    }
}
