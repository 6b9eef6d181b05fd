package com.example.crm.webhooks.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ChildJvm;
import com.example.crm.webhooks.support.S3CompatibleServer;
import com.example.crm.webhooks.support.S3ProxyRelease;
import com.example.crm.webhooks.support.ServiceProcess;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.util.FileSystemUtils;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The service as it is deployed, against an S3-compatible store as its users run it: s3proxy
 * started from its release jar in a process of its own ({@link S3ProxyRelease}), and the service
 * in a JVM of its own, from a directory of its own, configured by environment variables alone
 * ({@link ServiceProcess#startAsDeployed}: R2_CHECKSUMS and every other R2 setting at its default,
 * no system property, no test profile, no test library on its class path). Through the production
 * path, the objects land in the bucket as written:
 * <ul>
 *   <li>the intake spool: while the database refuses the service's connections, two resolve
 *       callbacks are answered 200 and each is kept as an {@code intake/} object in R2 (not in the
 *       spool directory); once the database takes connections again they are drained (listed,
 *       read, applied, deleted);</li>
 *   <li>enrichment: the jobs those callbacks queued fetch the profiles from Reverse Contact (WireMock)
 *       and upload a company logo (PNG) and a contact photo (JPEG), each with its bytes and
 *       content type, read back through the S3 API.</li>
 * </ul>
 * The same s3proxy refuses an upload with the AWS SDK's default checksums, as it refused every
 * upload of the production jar before {@code R2_CHECKSUMS} (issue 14): this test would see that.
 * Logs: target/s3proxy-release-child.log and target/s3proxy-release-service-child.log.
 */
class S3ProxyReleaseTest {

    private static final String BUCKET = "crm-media";
    private static final String DATABASE = "s3proxy_release";
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SERVICE = "s3proxy-release-service";

    private S3ProxyRelease s3proxy;
    private S3Client s3;
    private Process service;
    private Path serviceDirectory;
    private SingleConnectionDataSource dataSource;

    @AfterEach
    void stop() throws InterruptedException {
        ChildJvm.stop(service, 20);
        if (s3 != null) {
            s3.close();
        }
        if (s3proxy != null) {
            s3proxy.close();
        }
        if (dataSource != null) {
            dataSource.destroy();
        }
        if (serviceDirectory != null) {
            FileSystemUtils.deleteRecursively(serviceDirectory.toFile());
        }
    }

    @Test
    void theServiceConfiguredByEnvironmentAloneKeepsSpooledDeliveriesLogosAndPhotosInS3Proxy() throws Exception {
        // Both start at once, as they may in production: the service needs R2 only at its first upload.
        s3proxy = S3ProxyRelease.launch("s3proxy-release", BUCKET);
        String companyUrl = "https://www.linkedin.com/company/s3proxy-release-engines";
        String contactUrl = Faults.linkedinUrl("s3proxy-release-ada");
        byte[] logo = Faults.png();
        byte[] photo = jpeg();
        Faults.stubPicture("/cdn/s3proxy-release-logo.png", logo);
        Faults.stubImage("/cdn/s3proxy-release-ada.jpg", "image/jpeg", photo);
        Faults.thirdParties().stubFor(Faults.fetchCompany(companyUrl).willReturn(okJson(
                "{\"success\":true,\"data\":{\"name\":\"Release Engines\",\"logo\":\"" + Faults.imageHost() + "/cdn/s3proxy-release-logo.png\"}}")));
        Faults.stubProfile(contactUrl, "Countess of Lovelace", "/cdn/s3proxy-release-ada.jpg", 0);

        TestInfrastructure.newDatabase(DATABASE);
        String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + TestInfrastructure.postgres().getPort() + "/" + DATABASE;
        int publicPort = TestInfrastructure.freePort();
        serviceDirectory = Files.createTempDirectory(SERVICE);
        service = ServiceProcess.startAsDeployed(SERVICE, serviceDirectory, Map.ofEntries(
                Map.entry("SPRING_DATASOURCE_URL", jdbcUrl),
                Map.entry("SPRING_DATASOURCE_USERNAME", "postgres"),
                Map.entry("PUBLIC_PORT", String.valueOf(publicPort)),
                Map.entry("PUBLIC_HOST", "127.0.0.1"),
                Map.entry("MANAGEMENT_SERVER_PORT", String.valueOf(TestInfrastructure.freePort())),
                Map.entry("R2_ENDPOINT", s3proxy.endpoint()),
                Map.entry("R2_BUCKET", BUCKET),
                Map.entry("R2_ACCESS_KEY_ID", S3CompatibleServer.ACCESS_KEY_ID),
                Map.entry("R2_SECRET_ACCESS_KEY", S3CompatibleServer.SECRET_ACCESS_KEY),
                Map.entry("REVERSECONTACT_BASE_URL", Faults.thirdParties().baseUrl()),
                Map.entry("REVERSECONTACT_API_KEY", TestInfrastructure.REVERSECONTACT_API_KEY),
                // WireMock, the image host, is on 127.0.0.1, which the SSRF checks refuse otherwise.
                Map.entry("ENRICHMENT_TRUSTED_HOSTS", "127.0.0.1")));
        s3proxy.awaitAnswering();
        s3 = s3proxy.client();
        try (S3Client sdkDefaults = s3proxy.clientWithSdkDefaultChecksums()) {
            assertThatThrownBy(() -> sdkDefaults.putObject(put -> put.bucket(BUCKET).key("sdk-defaults.txt"),
                    RequestBody.fromString("streamed with a trailing CRC")))
                    .as("an upload with the AWS SDK's default checksums")
                    .isInstanceOf(S3Exception.class).hasMessageContaining("x-amz-content-sha256");
        }
        WebhookClient http = new WebhookClient("http://127.0.0.1:" + publicPort);
        await("the service ready").atMost(START).pollInterval(Duration.ofMillis(500))
                .failFast("the service exited; its log is " + ChildJvm.log(SERVICE), () -> !service.isAlive())
                .ignoreExceptions()
                .until(() -> http.get("/readyz").statusCode() == 200);

        dataSource = new SingleConnectionDataSource(TestInfrastructure.postgres().getJdbcUrl("postgres", DATABASE), true);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("insert into companies (id) values ('s3p-company')");
        jdbc.update("insert into contacts (id) values ('s3p-contact')");

        // The database refuses the service new connections and drops the ones it has (this test's stays).
        JdbcTemplate server = new JdbcTemplate(TestInfrastructure.postgres().getPostgresDatabase());
        server.execute("alter database " + DATABASE + " allow_connections false");
        server.queryForList("select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> ?",
                DATABASE, jdbc.queryForObject("select pg_backend_pid()", Integer.class));
        String companyCallback = "{\"data\":{\"linkedinUrl\":\"" + companyUrl + "\"}}";
        String contactCallback = Faults.resolveBody(contactUrl);
        assertThat(http.postJson(Faults.RESOLVE + "?type=company&id=s3p-company", companyCallback).statusCode()).isEqualTo(200);
        assertThat(http.postJson(Faults.RESOLVE + "?type=contact&id=s3p-contact", contactCallback).statusCode()).isEqualTo(200);

        List<S3Object> spooled = s3.listObjectsV2(list -> list.bucket(BUCKET).prefix("intake/")).contents();
        assertThat(spooled).as("deliveries spooled in R2").hasSize(2);
        ObjectMapper json = new ObjectMapper();
        for (S3Object object : spooled) {
            ResponseBytes<GetObjectResponse> document = s3.getObjectAsBytes(get -> get.bucket(BUCKET).key(object.key()));
            assertThat(document.response().contentType()).isEqualTo("application/json");
            JsonNode delivery = json.readTree(document.asByteArray());
            assertThat(delivery.path("route").asText()).isEqualTo("reversecontact-resolve");
            assertThat(new String(delivery.path("body").binaryValue(), StandardCharsets.UTF_8)).isIn(companyCallback, contactCallback);
        }
        try (var files = Files.list(serviceDirectory.resolve("data/intake"))) {
            assertThat(files.filter(file -> file.toString().endsWith(".json"))).as("the spool directory").isEmpty();
        }

        server.execute("alter database " + DATABASE + " allow_connections true");

        await("the R2 spool drained").atMost(WAIT).until(() -> s3.listObjectsV2(list -> list.bucket(BUCKET).prefix("intake/"))
                .contents().isEmpty());
        await("both jobs done").atMost(WAIT).until(() -> jdbc.queryForObject(
                "select count(*) from enrichment_jobs where state = 'done'", Integer.class) == 2);
        assertThat(jdbc.queryForList("select last_error from enrichment_jobs", String.class)).containsOnlyNulls();
        assertThat(jdbc.queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("select logo_key from companies where id = 's3p-company'", String.class))
                .isEqualTo("companies/s3p-company/logo.png");
        assertThat(jdbc.queryForObject("select profile_picture_key from contacts where id = 's3p-contact'", String.class))
                .isEqualTo("contacts/s3p-contact/avatar.jpg");
        assertObject("companies/s3p-company/logo.png", "image/png", logo);
        assertObject("contacts/s3p-contact/avatar.jpg", "image/jpeg", photo);
    }

    private void assertObject(String key, String contentType, byte[] bytes) {
        ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(get -> get.bucket(BUCKET).key(key));
        assertThat(object.response().contentType()).as("content type of %s", key).isEqualTo(contentType);
        assertThat(object.asByteArray()).as("bytes of %s", key).isEqualTo(bytes);
    }

    /** A real JPEG, so the photo's type and key differ from the logo's. */
    private static byte[] jpeg() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        image.setRGB(4, 4, 0x3366cc);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }
}
