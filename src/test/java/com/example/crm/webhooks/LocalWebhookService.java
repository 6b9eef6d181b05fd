package com.example.crm.webhooks;

import com.example.crm.webhooks.support.EmbeddedPostgresServer;
import com.example.crm.webhooks.support.ReverseContactStandIn;
import com.example.crm.webhooks.support.S3CompatibleServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
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

    private LocalWebhookService() {
    }

    public static void main(String[] args) {
        Path data = Path.of("data");
        EmbeddedPostgres postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), false, POSTGRES_PORT);
        S3CompatibleServer r2 = S3CompatibleServer.onDisk(data.resolve("r2"), S3_PORT);
        r2.createBucket(BUCKET);
        ReverseContactStandIn reverseContact = ReverseContactStandIn.start(REVERSECONTACT_PORT);

        new SpringApplicationBuilder(WebhookServiceApplication.class)
                .profiles("local")
                // Default properties: the lowest precedence, so SPRING_DATASOURCE_URL and friends override them.
                .properties(Map.of(
                        "spring.datasource.url", postgres.getJdbcUrl("postgres", "postgres"),
                        "spring.datasource.username", "postgres",
                        "R2_ENDPOINT", r2.endpoint(),
                        "R2_BUCKET", BUCKET,
                        "R2_ACCESS_KEY_ID", S3CompatibleServer.ACCESS_KEY_ID,
                        "R2_SECRET_ACCESS_KEY", S3CompatibleServer.SECRET_ACCESS_KEY,
                        "REVERSECONTACT_BASE_URL", reverseContact.baseUrl()))
                .run(args);
    }
}
