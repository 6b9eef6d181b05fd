package com.example.crm.webhooks.r2;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The S3 client every {@code aws2-s3:} endpoint uses (camel-aws2-s3 takes the one S3Client bean):
 * Cloudflare R2 at its account endpoint, or any S3-compatible store, with path-style buckets.
 *
 * <p>Checksums: the AWS SDK by default adds CRC checksums to every upload, streamed with a
 * trailing header, and checks them on every download. R2 and other S3-compatible stores
 * (s3proxy, for one) do not all understand that and refuse the upload ("The provided
 * 'x-amz-content-sha256' header does not match"), so by default the client sends checksums only
 * where the S3 API requires them ({@code R2_CHECKSUMS=when_required}); a store that supports the
 * SDK's defaults can have them ({@code when_supported}).
 *
 * <p>Retries: none in the client. The routes retry: a brief fault is redelivered at once, a
 * lasting one waits in the queue (routes/enrichment-errors.camel.yaml), so one policy decides, visibly,
 * and an outage costs seconds per attempt rather than the SDK's backoff times the route's.
 */
@Configuration(proxyBeanMethods = false)
public class R2Configuration {

    @Bean(destroyMethod = "close")
    S3Client r2Client(R2Settings r2) {
        return client(r2, r2.connectTimeout(), r2.callTimeout());
    }

    /**
     * The same store for the intake spool, which a caller waits on: a write that R2 does not take
     * within {@code intake.r2-timeout} goes to the spool directory instead, well inside Twilio's
     * 15 s for all its attempts.
     */
    @Bean(destroyMethod = "close")
    S3Client r2IntakeClient(R2Settings r2, @Value("${intake.r2-timeout}") Duration timeout) {
        return client(r2, timeout, timeout);
    }

    private static S3Client client(R2Settings r2, Duration connectTimeout, Duration callTimeout) {
        String checksums = r2.checksums() == null ? "" : r2.checksums();
        boolean whenSupported = switch (checksums.strip().toLowerCase(Locale.ROOT)) {
            case "when_required" -> false;
            case "when_supported" -> true;
            default -> throw new IllegalArgumentException(
                    "R2_CHECKSUMS must be when_required or when_supported, not \"" + checksums + "\"");
        };
        var builder = S3Client.builder()
                .region(Region.of(r2.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(r2.accessKeyId(), r2.secretAccessKey())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .requestChecksumCalculation(whenSupported ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(whenSupported ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(connectTimeout).socketTimeout(callTimeout))
                .overrideConfiguration(config -> config
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(callTimeout));
        if (r2.endpoint() != null && !r2.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(r2.endpoint().strip()));
        }
        return builder.build();
    }
}
