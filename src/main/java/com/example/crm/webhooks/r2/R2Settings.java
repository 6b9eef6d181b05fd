package com.example.crm.webhooks.r2;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where R2 is and how to talk to it ({@code r2.*} in application.yaml, each behind an R2_*
 * environment variable; docs/configuration.md lists them).
 *
 * @param endpoint        R2's S3 endpoint, {@code https://<account>.r2.cloudflarestorage.com}
 * @param bucket          the bucket of logos, profile pictures and the intake spool
 * @param region          the region requests are signed for ({@code auto} on R2)
 * @param accessKeyId     the R2 API token's key id
 * @param secretAccessKey the R2 API token's secret
 * @param checksums       {@code when_required} or {@code when_supported} (R2Configuration says why)
 * @param connectTimeout  connecting to R2
 * @param callTimeout     the longest one call (an upload, say) may take
 */
@ConfigurationProperties("r2")
public record R2Settings(String endpoint, String bucket, String region, String accessKeyId, String secretAccessKey,
                         String checksums, Duration connectTimeout, Duration callTimeout) {
}
