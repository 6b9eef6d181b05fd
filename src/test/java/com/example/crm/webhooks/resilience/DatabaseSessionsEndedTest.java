package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.intake.IntakeStatus;
import com.example.crm.webhooks.support.EmbeddedPostgresServer;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * PostgreSQL ending the pool's sessions under a running statement, as an administrator's
 * {@code pg_terminate_backend} or a failover does (the statement fails with 57P01): the database
 * circuit opens at that failure, so with no spool to take the delivery, readiness is DOWN as soon
 * as the caller has its 503, not once the pool next fails to connect; it closes again when the
 * database takes connections. A statement cancelled on its own (57014) says nothing about the
 * database and leaves the circuit closed. The service has its own PostgreSQL, R2 where nothing
 * listens and a spool directory it cannot write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseSessionsEndedTest {

    private static final String DATABASE = "sessions_ended";

    private Path dataDirectory;
    private EmbeddedPostgres postgres;
    private ServiceInstance service;
    private JdbcTemplate server;
    private TwilioRequests twilio;
    private Path spoolDirectory;

    @BeforeAll
    void start() throws IOException {
        dataDirectory = Files.createTempDirectory("sessions-ended-pg");
        postgres = EmbeddedPostgresServer.start(dataDirectory, false, 0);
        server = new JdbcTemplate(postgres.getPostgresDatabase());
        server.execute("create database " + DATABASE);
        service = ServiceInstance.start("sessions-ended", postgres.getJdbcUrl("postgres", DATABASE),
                Map.of("r2.endpoint", "http://127.0.0.1:" + TestInfrastructure.freePort(), "reversecontact.api-key", ""));
        twilio = new TwilioRequests(service.http());
        // Started with a writable spool (start-up refuses one it cannot write); now a file takes its place.
        spoolDirectory = service.spoolDirectory();
        FileSystemUtils.deleteRecursively(spoolDirectory);
        Files.createFile(spoolDirectory);
    }

    @AfterAll
    void stop() throws IOException {
        if (service != null) {
            service.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        FileSystemUtils.deleteRecursively(dataDirectory);
        Files.deleteIfExists(spoolDirectory);
    }

    @Test
    void sessionsEndedUnderAStatementOpenTheCircuitSoReadinessIsDownWithThe503() throws Exception {
        assertThat(service.http().get("/readyz").statusCode()).isEqualTo(200);
        try (Connection locker = lockMessages()) {
            CompletableFuture<HttpResponse<String>> answer = postWhileLocked("SMended");
            // The database refuses new connections and ends the ones the service has, the blocked statement's among them.
            server.execute("alter database " + DATABASE + " allow_connections false");
            server.queryForList("select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> ?",
                    DATABASE, backendPid(locker));

            HttpResponse<String> refused = answer.get(30, TimeUnit.SECONDS);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).isEqualTo("{\"error\":\"database unavailable, retry later\"}");
            assertThat(service.bean(IntakeStatus.class).databaseAnswers()).as("the circuit opened at the ended statement").isFalse();
            assertThat(service.http().get("/readyz").statusCode()).as("readiness agrees with the 503 at once").isEqualTo(503);
        } finally {
            server.execute("alter database " + DATABASE + " allow_connections true");
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> service.http().get("/readyz").statusCode() == 200);
        assertThat(service.bean(IntakeStatus.class).databaseAnswers()).isTrue();
        assertThat(service.jdbc().queryForObject("select count(*) from messages where twilio_sid = 'SMended'", Integer.class)).isZero();
    }

    @Test
    void aCancelledStatementLeavesTheCircuitClosed() throws Exception {
        HttpResponse<String> refused;
        try (Connection locker = lockMessages()) {
            CompletableFuture<HttpResponse<String>> answer = postWhileLocked("SMcancelled");
            server.queryForList("select pg_cancel_backend(pid) from pg_stat_activity where datname = ? and pid <> ?"
                    + " and wait_event_type = 'Lock'", DATABASE, backendPid(locker));
            refused = answer.get(30, TimeUnit.SECONDS);
        }
        assertThat(refused.statusCode()).isEqualTo(500);
        assertThat(service.bean(IntakeStatus.class).databaseAnswers()).isTrue();
        assertThat(service.http().get("/readyz").statusCode()).isEqualTo(200);
    }

    /** A connection of the test's own holding the messages table, so the service's insert waits on it. */
    private Connection lockMessages() throws SQLException {
        Connection locker = postgres.getDatabase("postgres", DATABASE).getConnection();
        locker.setAutoCommit(false);
        try (Statement lock = locker.createStatement()) {
            lock.execute("lock table messages in access exclusive mode");
        }
        return locker;
    }

    /** Posts an inbound message, answered once its statement, waiting for the lock, ends. */
    private CompletableFuture<HttpResponse<String>> postWhileLocked(String sid) {
        CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> twilio.post(TwilioRequests.INBOUND,
                TwilioRequests.inboundMessage(sid, "+61412345678", "+61298765432", "under a statement")));
        await("the service's statement waiting for the lock").atMost(Duration.ofSeconds(30)).until(() -> server.queryForObject(
                "select count(*) from pg_stat_activity where datname = ? and wait_event_type = 'Lock'", Integer.class, DATABASE) > 0);
        return answer;
    }

    private static int backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); var result = statement.executeQuery("select pg_backend_pid()")) {
            result.next();
            return result.getInt(1);
        }
    }
}
