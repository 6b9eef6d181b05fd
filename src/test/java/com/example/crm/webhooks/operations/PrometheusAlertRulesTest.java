package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * monitoring/prometheus-alerts.yaml loads in Prometheus and its alerts fire as its unit tests
 * (monitoring/prometheus-alerts.test.yaml) say, checked by Prometheus' own promtool (Debian's
 * {@code prometheus} package, which src/test/install-test-tools.sh installs before the tests).
 */
class PrometheusAlertRulesTest {

    @Test
    void theRulesLoad() throws Exception {
        assertThat(promtool("check", "rules", "monitoring/prometheus-alerts.yaml")).contains("SUCCESS: 15 rules found");
    }

    @Test
    void theAlertsFireAsTheirUnitTestsSay() throws Exception {
        assertThat(promtool("test", "rules", "monitoring/prometheus-alerts.test.yaml")).contains("SUCCESS");
    }

    /** Runs promtool from the repository root; fails with its output unless it exits 0. */
    private static String promtool(String... arguments) throws IOException, InterruptedException {
        Optional<Path> promtool = onPath("promtool");
        assertThat(promtool).as("promtool on the PATH (src/test/install-test-tools.sh installs it)").isPresent();
        String[] command = new String[arguments.length + 1];
        command[0] = promtool.get().toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        Path log = Files.createTempFile("promtool", ".log");
        try {
            // Output to a file, so a promtool that hangs cannot block the read; the wait below bounds it.
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = process.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(finished).as("promtool finished within 60 s: " + output).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Arrays.stream(path.split(File.pathSeparator))
                .filter(directory -> !directory.isBlank())
                .map(directory -> Path.of(directory, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
