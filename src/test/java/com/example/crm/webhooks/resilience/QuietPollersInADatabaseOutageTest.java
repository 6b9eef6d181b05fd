package com.example.crm.webhooks.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.example.crm.webhooks.database.DatabaseCircuit;
import com.example.crm.webhooks.enrichment.EnrichmentQueue;
import com.example.crm.webhooks.support.StoppableDatabase;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An outage is news in the log once, not once per poll: while PostgreSQL is stopped for longer than
 * ten seconds, the enrichment poller (every 100 ms here) logs one WARN when its claim first finds
 * the database gone and one INFO when it claims again, never a stack trace; the health's
 * enrichment component says since when it waits. The intake's drains, the refused deliveries'
 * trim and the retention purge (both due every second here) log at most two lines each.
 * A poller's lines are those logged on its consumer thread, whichever logger wrote them (Camel's
 * error handler included).
 */
class QuietPollersInADatabaseOutageTest {

    private static final Duration OUTAGE = Duration.ofSeconds(12);

    private StoppableDatabase postgres;
    private ServiceInstance service;
    /** How this instance's Camel threads are named before their number: "Camel (camel-2) thread #". */
    private String threadPrefix;
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @AfterEach
    void stopEverything() {
        root.detachAppender(log);
        if (service != null) {
            service.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theEnrichmentPollerLogsTheOutageOnceAndItsEndOnce() throws Exception {
        postgres = StoppableDatabase.start("quiet-pollers");
        // The refused deliveries' trim and the retention purge want to run every second here: they must still keep quiet.
        service = ServiceInstance.start("quiet-pollers", postgres.jdbcUrl(), Map.of("refused.trim-interval", "1s",
                "retention.interval", "1s", "retention.first-run-delay", "0s"));
        EnrichmentQueue queue = service.bean(EnrichmentQueue.class);
        String threadNames = service.bean(CamelContext.class).getExecutorServiceManager().getThreadNamePattern();
        threadPrefix = threadNames.substring(0, threadNames.indexOf("#counter#"));
        log.start();
        root.addAppender(log);
        await("the poller claims").atMost(Duration.ofSeconds(30)).until(this::pollerRan);

        postgres.stop();
        Instant down = Instant.now();
        await("the poller notices").atMost(Duration.ofSeconds(30)).until(() -> queue.databaseDownSince() != null);
        assertThat(ManagementClient.operator(service.managementPort()).get("/actuator/health").body()).contains("\"enrichment\":{\"status\":\"UP\",\"details\":{\"databaseUnavailableSince\"");
        await("the outage lasts").atMost(OUTAGE.plusSeconds(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Duration.between(down, Instant.now()).compareTo(OUTAGE) >= 0);

        postgres.restart();
        await("the poller claims again").atMost(Duration.ofSeconds(30)).until(() -> queue.databaseDownSince() == null);

        List<ILoggingEvent> lines = pollerLines();
        assertThat(lines).as("the poller's lines: %s", describe(lines)).hasSize(2);
        assertThat(lines.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(lines.get(0).getFormattedMessage()).contains("the database does not answer");
        assertThat(lines.get(1).getLevel()).isEqualTo(Level.INFO);
        assertThat(lines.get(1).getFormattedMessage()).contains("the database answers again");
        assertThat(lines).allSatisfy(line -> assertThat(line.getThrowableProxy()).as(line.getFormattedMessage()).isNull());
        // The intake's drains skip their passes while the database's circuit is open.
        for (String drain : List.of("timer://drain-r2-spool", "file://", "timer://trim-refused-deliveries", "timer://retention")) {
            List<ILoggingEvent> drainLines = linesOn(drain);
            assertThat(drainLines).as("%s: %s", drain, describe(drainLines)).hasSizeLessThanOrEqualTo(2)
                    .allSatisfy(line -> assertThat(line.getThrowableProxy()).isNull());
        }
    }

    /** Whether the poller ran: Camel's route policy counts its exchanges. */
    private boolean pollerRan() {
        Counter polls = service.bean(MeterRegistry.class).find("camel.exchanges.total").tag("routeId", "enrichment-poll").counter();
        return polls != null && polls.count() > 0;
    }

    /** What this instance logged on the enrichment poller's timer thread. */
    private List<ILoggingEvent> pollerLines() {
        return linesOn("timer://enrichment-poll");
    }

    /**
     * What this instance logged on the Camel consumer thread named after {@code endpoint}, but for
     * the lines of the connection pool and the database circuit: they log once per outage and
     * instance (the pool a line per connection it drops), on whichever thread first meets it.
     */
    private List<ILoggingEvent> linesOn(String endpoint) {
        synchronized (log) {
            return log.list.stream()
                    .filter(line -> line.getThreadName().startsWith(threadPrefix)
                            && line.getThreadName().contains(" - " + endpoint)
                            && !line.getLoggerName().equals(DatabaseCircuit.class.getName())
                            && !line.getLoggerName().startsWith("com.zaxxer.hikari."))
                    .toList();
        }
    }

    private static String describe(List<ILoggingEvent> lines) {
        return lines.stream().map(line -> line.getLevel() + " " + line.getLoggerName() + ": " + line.getFormattedMessage()).toList().toString();
    }
}
