package com.example.crm.webhooks.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.WebhookServiceApplication;
import com.example.crm.webhooks.support.ChildJvm;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.ServiceProcess;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Start-up stops, with one clear message and a non-zero exit, when the service could not work: an
 * environment variable it needs is missing or invalid (all of them named at once, before Spring
 * tries the database), or the public port is taken. A start that succeeds says, in one line, where
 * the webhooks and the management port listen.
 */
class StartUpChecksTest {

    /** Everything a production start needs, as environment variables. */
    private static final List<String> REQUIRED = List.of(
            "SPRING_DATASOURCE_URL", "R2_ENDPOINT", "R2_BUCKET", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY");

    @Test
    void withNoVariablesSetTheServiceExitsNamingEveryMissingOneInOneMessage() throws Exception {
        // As a newcomer runs the jar: no profile, nothing in the environment.
        ProcessBuilder command = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                WebhookServiceApplication.class.getName())
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true);
        command.environment().keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("R2_")
                || name.startsWith("PUBLIC_") || name.startsWith("MANAGEMENT_") || name.equals("DEFAULT_PHONE_REGION"));
        Process service = command.start();
        String output;
        try (InputStream out = service.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(service.waitFor(60, TimeUnit.SECONDS)).as("the service stopped by itself").isTrue();

        assertThat(service.exitValue()).as("exit code; output:%n%s", output).isNotZero();
        assertThat(output).containsOnlyOnce("APPLICATION FAILED TO START");
        String report = output.substring(output.indexOf("APPLICATION FAILED TO START"));
        assertThat(report).as("the report").contains(REQUIRED)
                .as("an optional variable unset").doesNotContain("REVERSECONTACT_CALLBACK_SECRET").doesNotContain("INTAKE_SPOOL_KEY");
        assertThat(output).doesNotContain("Failed to configure a DataSource").doesNotContain("Started WebhookServiceApplication");
    }

    @Test
    void invalidValuesAreNamedByTheirVariablesWithoutShowingSecrets() throws IOException {
        Path aFile = Files.createTempFile("not-a-directory", ".txt");
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(WebhookServiceApplication.class)
                .run("--spring.datasource.url=jdbc:h2:mem:crm;PASSWORD=s3cr3t",
                        "--r2.endpoint=account.r2.cloudflarestorage.com",
                        "--r2.bucket=crm-media",
                        "--r2.access-key-id=key",
                        "--r2.secret-access-key=secret",
                        "--phone.default-region=XX",
                        "--webhooks.http.port=80a",
                        "--server.port=0",
                        "--intake.spool-dir=" + aFile.resolve("intake"),
                        "--reversecontact.callback-secret=a-secret-of-31-characters-only!",
                        "--intake.spool-key=a-spool-key-31-characters-only!")
                .close());
        Files.delete(aFile);

        assertThat(failure).as("start-up with invalid values").isNotNull();
        assertThat(messages(failure))
                .contains("SPRING_DATASOURCE_URL is not a PostgreSQL JDBC URL")
                .contains("R2_ENDPOINT \"account.r2.cloudflarestorage.com\" is not an http(s) URL")
                .contains("DEFAULT_PHONE_REGION \"XX\" is not an ISO 3166 region code")
                .contains("PUBLIC_PORT \"80a\" is not a port number")
                .contains("INTAKE_SPOOL_DIR \"" + aFile.resolve("intake") + "\" is not a directory the service can create or write")
                .contains("REVERSECONTACT_CALLBACK_SECRET is too short: unset, or at least 32 characters")
                .contains("INTAKE_SPOOL_KEY is too short: unset, or at least 32 characters")
                .doesNotContain("s3cr3t").doesNotContain("a-secret-of-31-characters-only!")
                .doesNotContain("a-spool-key-31-characters-only!")
                .doesNotContain("R2_BUCKET").doesNotContain("MANAGEMENT_SERVER_PORT");
    }

    /** Both Twilio tokens get the same check: one with a blank inside would never match a signature. */
    @Test
    void unusableTwilioTokensAndConnectionOverridesAreNamedWithoutShowingTheTokens() {
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(WebhookServiceApplication.class)
                .run("--twilio.auth-token=primary token-with-a-blank",
                        "--twilio.auth-token-secondary=secondary\ttoken-with-a-tab",
                        "--twilio.connection-overrides=rc=2&rp",
                        "--server.port=0")
                .close());

        assertThat(failure).as("start-up with unusable Twilio settings").isNotNull();
        assertThat(messages(failure))
                .contains("TWILIO_AUTH_TOKEN has a blank inside")
                .contains("TWILIO_AUTH_TOKEN_SECONDARY has a blank inside")
                .contains("TWILIO_CONNECTION_OVERRIDES \"rc=2&rp\" is not key=value pairs joined by &")
                .doesNotContain("token-with-a-blank").doesNotContain("token-with-a-tab");
    }

    @Test
    void validTwilioTokensAndConnectionOverridesPassTheCheck() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("twilio", Map.of(
                "twilio.auth-token", "0123456789abcdef0123456789abcdef\n",
                "twilio.auth-token-secondary", "fedcba9876543210fedcba9876543210",
                "twilio.connection-overrides", "#rc=2&rp=4xx,5xx,ct,rt&tt=14000&e=dublin")));

        assertThat(StartupSettings.problems(environment)).noneMatch(problem -> problem.startsWith("TWILIO_"));
    }

    /** Media copies need a whole API key or none: half of one would fail every download with a 401. */
    @Test
    void halfAnApiKeyAndMalformedMediaSettingsAreNamedWithoutShowingTheSecret() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("twilio", Map.of(
                "twilio.api-key-secret", "the-api-key-secret",
                "twilio.account-sid", "SK0123456789abcdef0123456789abcdef",
                "twilio.media.hosts", "api.twilio.com, https://media.example.com")));

        assertThat(StartupSettings.problems(environment))
                .contains("TWILIO_API_KEY_SECRET is set without TWILIO_API_KEY_SID: set both (an API key copies inbound media),"
                        + " or neither (TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN does)")
                .contains("TWILIO_ACCOUNT_SID \"SK0123456789abcdef0123456789abcdef\" is not an account SID:"
                        + " unset, or the account's SID: AC and 32 hex digits")
                .contains("TWILIO_MEDIA_HOSTS \"api.twilio.com, https://media.example.com\" is not a list of host or host:port:"
                        + " Twilio's media hosts, host or host:port, comma-separated (default api.twilio.com)")
                .noneMatch(problem -> problem.contains("the-api-key-secret"));

        environment.getPropertySources().addFirst(new MapPropertySource("whole key", Map.of(
                "twilio.api-key-sid", "SK0123456789abcdef0123456789abcdef",
                "twilio.api-key-secret", "the-api-key-secret",
                "twilio.account-sid", "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "twilio.media.hosts", "api.twilio.com,127.0.0.1:8089")));
        assertThat(StartupSettings.problems(environment)).noneMatch(problem -> problem.startsWith("TWILIO_"));
    }

    @Test
    void aTakenPublicPortStopsStartUp() throws IOException {
        String jdbcUrl = TestInfrastructure.newDatabase("public_port_taken");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Throwable failure = catchThrowable(() -> ServiceInstance.start("public-port-taken", jdbcUrl,
                    Map.of("webhooks.http.port", taken.getLocalPort())).close());

            assertThat(failure).as("start-up while PUBLIC_PORT is taken").isNotNull();
            assertThat(messages(failure)).contains("PUBLIC_PORT").contains(":" + taken.getLocalPort());
        }
    }

    @Test
    void aStartedServiceSaysInOneLineWhereTheWebhooksAndTheManagementPortListen() throws Exception {
        int publicPort = TestInfrastructure.freePort();
        int managementPort = TestInfrastructure.freePort();
        Process service = ServiceProcess.start("says-where", TestInfrastructure.newDatabase("says_where"),
                Map.of("webhooks.http.port", publicPort, "server.port", managementPort));
        try {
            WebhookClient http = new WebhookClient("http://127.0.0.1:" + publicPort);
            await("the service ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .failFast("the service exited; its log is " + ChildJvm.log("says-where"), () -> !service.isAlive())
                    .ignoreExceptions()
                    .until(() -> http.get("/readyz").statusCode() == 200);

            List<String> lines = Files.readAllLines(ChildJvm.log("says-where")).stream().filter(line -> line.contains("Listening: ")).toList();
            assertThat(lines).singleElement().asString()
                    .contains("webhooks and public health on http://127.0.0.1:" + publicPort + " ")
                    .contains("management (console, metrics, actuator) on port " + managementPort + " ");
        } finally {
            ChildJvm.stop(service, 30);
        }
    }

    @Test
    void webhooksThatBreakTheConventionsStopStartUpNamingEachRouteAndWhatIsWrong() throws IOException {
        Path routes = Files.createTempDirectory("broken-webhook");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path file : files) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Path status = routes.resolve("twilio-message-status.camel.yaml");
        // Camel itself refuses an unknown bean; what it would run with is refused here.
        Files.writeString(status, Files.readString(status)
                .replace("{name: webhook, value: twilio-message-status}", "{name: webhook, value: twilio-status}")
                .replace("{name: store, value: store-twilio-message-status}", "{name: store, value: no-such-store}")
                + "\n- route:\n    id: plain-http\n    from:\n      uri: platform-http:/api/webhooks/plain\n"
                + "      steps:\n        - log: {id: plain-log, message: plain}\n");
        try {
            Throwable failure = catchThrowable(() -> ServiceInstance.start("broken-webhook",
                    TestInfrastructure.newDatabase("broken_webhook"),
                    Map.of("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml")).close());

            assertThat(failure).as("start-up with a broken webhook").isNotNull();
            assertThat(messages(failure))
                    .contains("Webhook routes that break the webhook conventions")
                    .contains("webhook twilio-message-status: parameter webhook is twilio-status, not its routeId twilio-message-status")
                    .contains("webhook twilio-message-status: no route no-such-store from direct:no-such-store (parameter store)")
                    .containsPattern("route plain-http serves platform-http:/*api/webhooks/plain but is not made from the route template webhook")
                    .doesNotContain("webhook twilio-inbound");
        } finally {
            FileSystemUtils.deleteRecursively(routes.toFile());
        }
    }

    /** The messages of a failure and its causes. */
    private static String messages(Throwable failure) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }
}
