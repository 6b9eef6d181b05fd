package com.example.crm.webhooks.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.springframework.util.FileSystemUtils;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * s3proxy as its users run it: its release artifact ({@code s3proxy-<version>-jar-with-dependencies.jar},
 * which Maven copies to target/s3proxy/ before the tests), started with {@code java -jar ... --properties}
 * in a process of its own, with the configuration its README documents: AWS v2 or v4 signatures
 * checked against an identity and credential, objects as files (jclouds' filesystem provider) in a
 * directory of its own. Unlike {@link S3CompatibleServer} nothing of it is in the test JVM: it
 * reads the requests exactly as they come over the wire. Its output is
 * {@code target/<name>-child.log}. Close it when done.
 */
public final class S3ProxyRelease implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Process process;
    private final String endpoint;
    private final Path directory;

    private S3ProxyRelease(String name, Process process, String endpoint, Path directory) {
        this.name = name;
        this.process = process;
        this.endpoint = endpoint;
        this.directory = directory;
    }

    /**
     * Starts s3proxy on a free port with {@code buckets} in it; {@link #awaitAnswering} waits until it
     * answers. A bucket exists before anything starts, as in production (the service never creates
     * one): jclouds' filesystem store keeps a bucket as a directory. (The SDK's CreateBucket would
     * not do: it sends the region, {@code auto} as on R2, as the location, which s3proxy refuses.)
     */
    public static S3ProxyRelease launch(String name, String... buckets) {
        Path jar = releaseJar();
        String endpoint = "http://127.0.0.1:" + TestInfrastructure.freePort();
        Path directory;
        try {
            directory = Files.createTempDirectory(name);
            Path data = directory.resolve("data");
            for (String bucket : buckets) {
                Files.createDirectories(data.resolve(bucket));
            }
            Properties configuration = new Properties();
            configuration.setProperty("s3proxy.endpoint", endpoint);
            configuration.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            configuration.setProperty("s3proxy.identity", S3CompatibleServer.ACCESS_KEY_ID);
            configuration.setProperty("s3proxy.credential", S3CompatibleServer.SECRET_ACCESS_KEY);
            configuration.setProperty("jclouds.provider", "filesystem");
            configuration.setProperty("jclouds.filesystem.basedir", data.toString());
            try (var out = Files.newBufferedWriter(directory.resolve("s3proxy.conf"))) {
                configuration.store(out, "s3proxy's release configuration (its README), for " + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process = ChildJvm.start(name, directory, null,
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--properties", "s3proxy.conf");
        return new S3ProxyRelease(name, process, endpoint, directory);
    }

    /** Waits until it answers an authenticated request (listing the buckets). */
    public void awaitAnswering() {
        try (S3Client client = client()) {
            await("s3proxy answering at " + endpoint).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .failFast("s3proxy exited; its output is in " + ChildJvm.log(name), () -> !process.isAlive())
                    .ignoreExceptions()
                    .until(() -> client.listBuckets().buckets() != null);
        }
    }

    /** The one s3proxy release jar Maven copied to target/s3proxy/ (maven-dependency-plugin, in the pom). */
    private static Path releaseJar() {
        Path folder = Path.of(System.getProperty("user.dir"), "target", "s3proxy");
        List<Path> jars = List.of();
        if (Files.isDirectory(folder)) {
            try (var files = Files.list(folder)) {
                jars = files.filter(file -> file.getFileName().toString().matches("s3proxy-.+-jar-with-dependencies\\.jar")).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (jars.size() != 1) {
            throw new IllegalStateException("expected one s3proxy release jar in " + folder
                    + " (./mvnw generate-test-resources copies it there), found " + jars);
        }
        return jars.get(0).toAbsolutePath();
    }

    /** Where its S3 API answers, e.g. {@code http://127.0.0.1:41234}. */
    public String endpoint() {
        return endpoint;
    }

    /**
     * An S3 client configured as the service's (r2.R2Configuration, with its defaults): region
     * {@code auto}, path-style buckets, checksums only where the S3 API requires them. Close it.
     */
    public S3Client client() {
        return builder()
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** The same client with the AWS SDK's default checksums (streamed, trailing CRC). Close it. */
    public S3Client clientWithSdkDefaultChecksums() {
        return builder().build();
    }

    private S3ClientBuilder builder() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.of("auto"))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3CompatibleServer.ACCESS_KEY_ID, S3CompatibleServer.SECRET_ACCESS_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build());
    }

    /** Stops it (SIGTERM, then SIGKILL if it lingers) and deletes its objects. */
    @Override
    public void close() {
        try {
            ChildJvm.stop(process, 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            FileSystemUtils.deleteRecursively(directory.toFile());
        }
    }
}
