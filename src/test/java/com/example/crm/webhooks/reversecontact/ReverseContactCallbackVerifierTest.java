package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The start-up warning of unauthenticated callbacks, and docs/reverse-contact.md's openssl lines:
 * the signature a CRM computes with them is the one the service checks.
 */
class ReverseContactCallbackVerifierTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ReverseContactCallbackVerifier.class);

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void stopCapturing() {
        logger.detachAppender(log);
    }

    @Test
    void withoutASecretItWarnsOnceSayingHowToFixIt() {
        new ReverseContactCallbackVerifier("");

        assertThat(log.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).startsWith("Reverse Contact callbacks are unauthenticated")
                    .contains("REVERSECONTACT_CALLBACK_SECRET is not set").contains("openssl rand -hex 32");
        });
    }

    @Test
    void withASecretItSaysNothing() {
        new ReverseContactCallbackVerifier(SECRET);

        assertThat(log.list).isEmpty();
    }

    @Test
    void readmesOpensslLinesSignAsTheServiceChecks() throws Exception {
        assertThat(onPath("bash") && onPath("openssl")).as("bash and openssl on the PATH, to run README's lines").isTrue();
        String lines = readmeSigningLines();
        ReverseContactCallbackVerifier verifier = new ReverseContactCallbackVerifier(SECRET);

        for (String id : new String[] {"p-1", "p 3/ü&x=1"}) {
            URI url = URI.create(run(lines.replace("ID=p-1", "ID='" + id + "'"))
                    .replace(" ", "%20").replace("ü", "%C3%BC").replace("&x=1", "%26x%3D1"));

            assertThat(url.getRawQuery()).as(id).endsWith("&sig=" + verifier.signature("person", id));
            verifier.verifyResolve(delivery(url.getRawPath() + "?" + url.getRawQuery()));
            assertThatThrownBy(() -> new ReverseContactCallbackVerifier(SECRET.replace('0', '1'))
                    .verifyResolve(delivery(url.getRawPath() + "?" + url.getRawQuery())))
                    .isInstanceOf(WebhookRejection.class).hasMessage("invalid query parameter sig");
        }
    }

    /** docs/reverse-contact.md's bash block that computes a resolve callback's sig with openssl. */
    private static String readmeSigningLines() throws IOException {
        Matcher block = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(Path.of("docs/reverse-contact.md")));
        while (block.find()) {
            if (block.group(1).contains("openssl dgst -sha256") && block.group(1).contains("/reversecontact/resolve?")) {
                return block.group(1);
            }
        }
        throw new AssertionError("docs/reverse-contact.md has no bash block signing a resolve callback URL with openssl dgst -sha256");
    }

    /** Runs the lines with the secret in the environment, as the CRM would; what they print. */
    private static String run(String lines) throws Exception {
        ProcessBuilder bash = new ProcessBuilder("bash", "-euc", lines).redirectErrorStream(true);
        bash.environment().put("REVERSECONTACT_CALLBACK_SECRET", SECRET);
        Process process = bash.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static WebhookDelivery delivery(String pathAndQuery) {
        return new WebhookDelivery("reversecontact-resolve", pathAndQuery, Map.of(), new byte[0], Instant.now());
    }

    private static boolean onPath(String program) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }
}
