package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.WebhookServiceApplication;
import com.example.crm.webhooks.publicport.PublicHttpServer;
import com.example.crm.webhooks.support.EmbeddedPostgresServer;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.S3CompatibleServer;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.util.FileSystemUtils;

/**
 * The service as production starts it, without a console password, on a database of its own that
 * this test stops and starts again: health follows the database while readiness (the intake spool
 * takes deliveries meanwhile) and liveness stay UP, and the management port refuses everyone but
 * health. A second application, so the shared one's
 * database is never touched.
 */
class ProductionDefaultsTest {

    private static Path dataDirectory;
    private static EmbeddedPostgres postgres;
    private static int postgresPort;
    private static ConfigurableApplicationContext app;
    private static WebhookClient publicPort;
    private static int managementPort;

    @BeforeAll
    static void startServiceOnItsOwnDatabase() throws IOException {
        dataDirectory = Files.createTempDirectory("production-defaults-pg");
        postgres = EmbeddedPostgresServer.start(dataDirectory, false, 0);
        postgresPort = postgres.getPort();
        app = new SpringApplicationBuilder(WebhookServiceApplication.class)
                .profiles("test")
                .run("--server.port=0",
                        "--webhooks.http.port=0",
                        "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                        "--spring.datasource.username=postgres",
                        "--r2.endpoint=" + TestInfrastructure.s3().endpoint(),
                        "--r2.bucket=" + TestInfrastructure.BUCKET,
                        "--r2.access-key-id=" + S3CompatibleServer.ACCESS_KEY_ID,
                        "--r2.secret-access-key=" + S3CompatibleServer.SECRET_ACCESS_KEY,
                        "--reversecontact.base-url=" + TestInfrastructure.thirdParties().baseUrl(),
                        "--intake.spool-dir=" + TestInfrastructure.newSpoolDirectory("production-defaults"),
                        // The production default: no console password.
                        "--operations.console.password=",
                        // Its Camel context sits in the same JVM (and MBean server) as the shared test application's.
                        "--camel.main.name=webhook-service-production-defaults");
        Environment environment = app.getEnvironment();
        publicPort = new WebhookClient("http://127.0.0.1:" + app.getBean(PublicHttpServer.class).port());
        managementPort = Integer.parseInt(environment.getProperty("local.server.port"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            closeQuietly(postgres);
        }
        if (dataDirectory != null) {
            FileSystemUtils.deleteRecursively(dataDirectory);
        }
    }

    @Test
    void whileTheDatabaseIsDownHealthSaysSoAndTheInstanceStaysReadyForTheSpool() {
        ManagementClient management = ManagementClient.anonymous(managementPort);
        assertThat(management.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(publicPort.get("/readyz").statusCode()).isEqualTo(200);

        closeQuietly(postgres);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var health = publicPort.get("/actuator/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).isEqualTo("{\"status\":\"DOWN\"}");
        });
        // Which component is down is on the management port (its components, not their details, need no
        // login; this instance has no management password, so no one could log in).
        assertThat(management.get("/actuator/health").body()).contains("\"db\":{\"status\":\"DOWN\"}");
        // The intake spool takes the deliveries meanwhile: the load balancer keeps sending.
        assertThat(publicPort.get("/readyz").statusCode()).isEqualTo(200);
        assertThat(management.get("/actuator/health/readiness").body()).contains("\"intake\":{\"status\":\"UP\"");
        assertThat(publicPort.get("/livez").statusCode()).isEqualTo(200);

        postgres = EmbeddedPostgresServer.start(dataDirectory, false, postgresPort);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(publicPort.get("/actuator/health").statusCode()).isEqualTo(200));
        assertThat(publicPort.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void withoutAPasswordTheManagementPortRefusesEveryoneButHealth() {
        ManagementClient anonymous = ManagementClient.anonymous(managementPort);
        ManagementClient guessing = ManagementClient.as(managementPort, "operator", "");
        ManagementClient testUser = ManagementClient.operator(managementPort);
        for (ManagementClient caller : new ManagementClient[] {anonymous, guessing, testUser}) {
            for (String path : new String[] {"/actuator/hawtio/", "/actuator/jolokia/version",
                    "/actuator/jolokia/read/java.lang:type=Runtime/Name", "/actuator/prometheus", "/actuator/info",
                    "/actuator/deadletters", "/login"}) {
                assertThat(caller.get(path).statusCode()).as(path).isEqualTo(403);
            }
            assertThat(caller.postJson("/actuator/deadletters", "{}").statusCode()).isEqualTo(403);
            assertThat(caller.postJson("/actuator/jolokia", "{\"type\":\"version\"}").statusCode()).isEqualTo(403);
        }
        assertThat(anonymous.get("/actuator/health").statusCode()).isIn(200, 503);
    }

    private static void closeQuietly(EmbeddedPostgres server) {
        try {
            server.close();
        } catch (IOException e) {
            throw new IllegalStateException("Could not stop the embedded PostgreSQL", e);
        }
    }
}
