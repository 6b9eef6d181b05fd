package com.example.crm.webhooks.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.options.ListContainerOptions;

/**
 * A real S3 API server (s3proxy) standing where Cloudflare R2 stands in production. Requests are
 * signed and checked (AWS v4) with the credentials below, as R2 would.
 */
public final class S3CompatibleServer {

    public static final String ACCESS_KEY_ID = "local-access-key";
    public static final String SECRET_ACCESS_KEY = "local-secret-key";

    private final S3Proxy proxy;
    private final BlobStore blobStore;

    private S3CompatibleServer(S3Proxy proxy, BlobStore blobStore) {
        this.proxy = proxy;
        this.blobStore = blobStore;
    }

    /** Objects in memory, gone with the JVM: for tests. */
    public static S3CompatibleServer inMemory() {
        return start("transient", new Properties(), 0);
    }

    /** Objects as files under {@code directory}, kept across restarts: for the embedded mode. */
    public static S3CompatibleServer onDisk(Path directory, int port) {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        directory.toFile().mkdirs();
        return start("filesystem", properties, port);
    }

    private static S3CompatibleServer start(String provider, Properties properties, int port) {
        BlobStoreContext context = ContextBuilder.newBuilder(provider)
                .overrides(properties)
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                .build();
        try {
            proxy.start();
            await("s3proxy started").atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        } catch (Exception e) {
            throw new IllegalStateException("Could not start s3proxy", e);
        }
        return new S3CompatibleServer(proxy, context.getBlobStore());
    }

    /** Buckets exist before the service starts, as in production (it never creates one). */
    public void createBucket(String bucket) {
        blobStore.createContainerInLocation(null, bucket);
    }

    /** The keys of the objects in {@code bucket} under {@code prefix}, sorted: every page of the listing. */
    public List<String> keys(String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        String marker = null;
        do {
            ListContainerOptions options = ListContainerOptions.Builder.prefix(prefix).recursive();
            PageSet<? extends StorageMetadata> page = blobStore.list(bucket, marker == null ? options : options.afterMarker(marker));
            page.stream().filter(entry -> entry.getType() == StorageType.BLOB).map(StorageMetadata::getName).forEach(keys::add);
            marker = page.getNextMarker();
        } while (marker != null);
        return keys.stream().sorted().toList();
    }

    /** Stores {@code bytes} as the object {@code key}, as a client of the store would. */
    public void put(String bucket, String key, byte[] bytes) {
        blobStore.putBlob(bucket, blobStore.blobBuilder(key).payload(bytes).contentLength(bytes.length).build());
    }

    /** Removes the objects in {@code bucket} under {@code prefix}. */
    public void deleteAll(String bucket, String prefix) {
        keys(bucket, prefix).forEach(key -> blobStore.removeBlob(bucket, key));
    }

    /** An object's bytes, or null when there is none. */
    public byte[] object(String bucket, String key) throws IOException {
        Blob blob = blobStore.getBlob(bucket, key);
        if (blob == null) {
            return null;
        }
        try (InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    /** An object's Content-Type as stored, or null when there is no such object. */
    public String contentType(String bucket, String key) {
        var metadata = blobStore.blobMetadata(bucket, key);
        return metadata == null ? null : metadata.getContentMetadata().getContentType();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    public void stop() throws Exception {
        proxy.stop();
    }
}
