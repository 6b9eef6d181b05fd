package com.example.crm.webhooks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own, started with this JVM's {@code java}: the service ({@link ServiceProcess}) or
 * a server the tests run as its users do ({@link S3ProxyRelease}). What it prints goes to
 * {@code target/<name>-child.log}, not the console.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Runs {@code java <arguments>} in {@code directory}. With {@code environment} null the child
     * inherits this JVM's environment; otherwise it has exactly those variables and no other.
     */
    public static Process start(String name, Path directory, Map<String, String> environment, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log(name).toFile());
        if (environment != null) {
            builder.environment().clear();
            builder.environment().putAll(environment);
        }
        try {
            Files.createDirectories(log(name).getParent());
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /** Where the child {@code name} writes its output. */
    public static Path log(String name) {
        return Path.of(System.getProperty("user.dir"), "target", name + "-child.log").toAbsolutePath();
    }

    /** Asks the child to stop (SIGTERM), and kills it if it has not within {@code seconds}. */
    public static void stop(Process child, int seconds) throws InterruptedException {
        if (child == null || !child.isAlive()) {
            return;
        }
        child.destroy();
        if (!child.waitFor(seconds, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
