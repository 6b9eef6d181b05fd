package com.example.crm.webhooks.publicport;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The public port's knobs ({@code webhooks.http.*} in application.yaml, each behind a PUBLIC_*
 * environment variable). docs/public-port.md says what each protects against.
 *
 * @param port                     the port (0: any free one, as in tests)
 * @param host                     the address it listens on
 * @param workerThreads            Vert.x worker threads: they run the webhook routes and nothing else, each request
 *                                 only once its body has arrived in full
 * @param maxConnections           open connections in total; more are closed as soon as they are accepted
 * @param maxConnectionsPerAddress open connections from one client address (0: no such cap)
 * @param headerTimeout            a new connection must have sent its first request's headers in full by then
 * @param idleTimeout              a connection with no request in progress is closed after this: kept alive
 *                                 between requests, a client must have sent its next request's headers by then
 * @param bodyBufferBytes          request bodies held in memory while they arrive, all connections together
 */
@ConfigurationProperties("webhooks.http")
public record PublicPortSettings(
        int port,
        String host,
        int workerThreads,
        int maxConnections,
        int maxConnectionsPerAddress,
        Duration headerTimeout,
        Duration idleTimeout,
        long bodyBufferBytes) {
}
