package com.example.crm.webhooks;

import com.example.crm.webhooks.support.EmbeddedPostgresServer;
import com.example.crm.webhooks.support.ReverseContactStandIn;
import com.example.crm.webhooks.support.S3CompatibleServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The whole service on embedded, real parts, for a newcomer's first run ({@code ./mvnw spring-boot:test-run}):
 * PostgreSQL and an S3 API server keeping their data under {@code ./data/}, and a stand-in for the
 * Reverse Contact API serving sample profiles and images. None of this is in the production jar.
 * Environment variables still win over every default here.
 */
public final class LocalWebhookService {

    static final int POSTGRES_PORT = 54329;
    static final int S3_PORT = 54330;
    static final int REVERSECONTACT_PORT = 54331;
    static final String BUCKET = "webhook-service-local";
    /**
     * Both ports on loopback only: the embedded mode has a preset console login, which nobody else on
     * the network may use. PUBLIC_HOST and MANAGEMENT_HOST in the environment open them.
     */
    static final Map<String, Object> LISTEN_ON_LOOPBACK = Map.of("PUBLIC_HOST", "127.0.0.1", "MANAGEMENT_HOST", "127.0.0.1");

    private LocalWebhookService() {
    }

    public static void main(String[] args) {
        Path data = Path.of("data");
        EmbeddedPostgres postgres;
        S3CompatibleServer r2;
        ReverseContactStandIn reverseContact;
        try {
            postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), false, POSTGRES_PORT);
            r2 = S3CompatibleServer.onDisk(data.resolve("r2"), S3_PORT);
            r2.createBucket(BUCKET);
            reverseContact = ReverseContactStandIn.start(REVERSECONTACT_PORT);
        } catch (RuntimeException e) {
            e.printStackTrace();
            stop("an embedded part did not start (ports " + POSTGRES_PORT + ", " + S3_PORT + " and "
                    + REVERSECONTACT_PORT + " must be free): " + e.getMessage());
            return;
        }
        try {
            start(args, postgres, r2, reverseContact);
        } catch (RuntimeException e) {
            stop("the service did not start; Spring Boot said why above");
        }
    }

    /**
     * Exits: the embedded parts' threads would otherwise keep the JVM, and with it
     * {@code spring-boot:test-run}, waiting after a failed start.
     */
    private static void stop(String why) {
        System.err.println("Embedded mode: " + why);
        System.exit(1);
    }

    private static void start(String[] args, EmbeddedPostgres postgres, S3CompatibleServer r2, ReverseContactStandIn reverseContact) {
        new SpringApplicationBuilder(WebhookServiceApplication.class)
                .profiles("local")
                // Default properties: the lowest precedence, so SPRING_DATASOURCE_URL and friends override them.
                .properties(defaults(Map.of(
                        "spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"),
                        "spring.datasource.username", "postgres",
                        "R2_ENDPOINT", r2.endpoint(),
                        "R2_BUCKET", BUCKET,
                        "R2_ACCESS_KEY_ID", S3CompatibleServer.ACCESS_KEY_ID,
                        "R2_SECRET_ACCESS_KEY", S3CompatibleServer.SECRET_ACCESS_KEY,
                        "REVERSECONTACT_BASE_URL", reverseContact.baseUrl())))
                .run(args);
    }

    private static Map<String, Object> defaults(Map<String, Object> parts) {
        Map<String, Object> defaults = new HashMap<>(parts);
        defaults.putAll(LISTEN_ON_LOOPBACK);
        return defaults;
    }
}
