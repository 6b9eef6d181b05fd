package com.example.crm.webhooks.support;

import com.example.crm.webhooks.WebhookServiceApplication;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service as a JVM of its own ({@link ChildJvm}), so a test can really kill it (SIGKILL: no
 * shutdown hook, no graceful stop), or run it as it is deployed. Its log is
 * {@code target/<name>-child.log}.
 */
public final class ServiceProcess {

    private static final String[] JVM_OPTIONS = {"-Xmx512m", "-XX:TieredStopAtLevel=1"};

    private ServiceProcess() {
    }

    /** On the test's class path, with the test profile and {@link ServiceInstance#arguments}. */
    public static Process start(String name, String jdbcUrl, Map<String, Object> settings) {
        List<String> arguments = new ArrayList<>(List.of(JVM_OPTIONS));
        arguments.addAll(List.of("-cp", System.getProperty("java.class.path"),
                WebhookServiceApplication.class.getName(), "--spring.profiles.active=test"));
        arguments.addAll(List.of(ServiceInstance.arguments(name, jdbcUrl, settings)));
        return ChildJvm.start(name, Path.of(System.getProperty("user.dir")), null, arguments.toArray(String[]::new));
    }

    /**
     * As it is deployed: from {@code directory}, configured by {@code environment} alone (no other
     * variable, no argument, no profile, no system property), on the service's own class path (its
     * classes and runtime dependencies, what the jar carries: no test library or resource).
     */
    public static Process startAsDeployed(String name, Path directory, Map<String, String> environment) {
        List<String> arguments = new ArrayList<>(List.of(JVM_OPTIONS));
        arguments.addAll(List.of("-cp", runtimeClassPath(), WebhookServiceApplication.class.getName()));
        return ChildJvm.start(name, directory, environment, arguments.toArray(String[]::new));
    }

    /** target/classes and the runtime dependencies Maven listed (maven-dependency-plugin, build-classpath). */
    private static String runtimeClassPath() {
        Path target = Path.of(System.getProperty("user.dir"), "target").toAbsolutePath();
        Path dependencies = target.resolve("runtime-classpath.txt");
        if (!Files.isRegularFile(dependencies)) {
            throw new IllegalStateException(dependencies + " is missing: ./mvnw generate-test-resources writes it");
        }
        try {
            return target.resolve("classes") + File.pathSeparator + Files.readString(dependencies).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
