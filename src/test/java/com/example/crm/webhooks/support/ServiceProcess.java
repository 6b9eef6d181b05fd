package com.example.crm.webhooks.support;

import com.example.crm.webhooks.WebhookServiceApplication;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service as a JVM of its own, so a test can really kill it (SIGKILL: no shutdown hook, no
 * graceful stop): the test's class path, the test profile, and {@link ServiceInstance#arguments}.
 * Its log is {@code target/<name>-child.log}.
 */
public final class ServiceProcess {

    private ServiceProcess() {
    }

    public static Process start(String name, String jdbcUrl, Map<String, Object> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                WebhookServiceApplication.class.getName(),
                "--spring.profiles.active=test"));
        command.addAll(List.of(ServiceInstance.arguments(name, jdbcUrl, settings)));
        File log = Path.of("target", name + "-child.log").toFile();
        Files.createDirectories(log.toPath().getParent());
        return new ProcessBuilder(command)
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
    }
}
