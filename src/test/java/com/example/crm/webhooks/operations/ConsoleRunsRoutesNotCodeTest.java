package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A logged-in operator runs routes through the console (Jolokia, as Hawtio calls it) and nothing
 * else: what jolokia-access.xml allows takes effect; the calls an attacker used to send to a file:
 * or sql: endpoint, read a file through a language, or change the JVM, its loggers, Jolokia itself
 * or the routes are refused (Jolokia's status 403) and change nothing.
 */
class ConsoleRunsRoutesNotCodeTest extends WebhookServiceTest {

    private static final String SEND_STRING_BODY = "sendStringBody(java.lang.String,java.lang.String)";
    private static final String REQUEST_STRING_BODY = "requestStringBody(java.lang.String,java.lang.String)";
    /** A JUL logger of the test's own, held so that its level is the one a refused call would have changed. */
    private static final Logger JUL_LOGGER = Logger.getLogger(ConsoleRunsRoutesNotCodeTest.class.getName());

    @LocalServerPort
    private int managementPort;

    @TempDir
    private Path directory;

    private ConsoleSession console;
    private String context;
    private HarmlessRoute route;

    @BeforeEach
    void logIn() throws Exception {
        console = ConsoleSession.logIn(managementPort);
        context = console.search("org.apache.camel:type=context,*");
        route = HarmlessRoute.add(camelContext, "test-console-operations");
    }

    @AfterEach
    void removeRoute() throws Exception {
        route.close();
    }

    @Test
    void anOperatorStartsStopsSuspendsResumesAndResetsARouteButCannotRemoveOrChangeIt() throws Exception {
        String mbean = console.search(route.mbeanPattern());
        route.send();
        route.send();
        assertThat(console.read(mbean, "ExchangesTotal").get("value").asLong()).isEqualTo(2);

        assertRuns(console.exec(mbean, "stop()"));
        assertThat(route.status()).isEqualTo(ServiceStatus.Stopped);
        assertRuns(console.exec(mbean, "start()"));
        assertThat(route.status()).isEqualTo(ServiceStatus.Started);
        assertRuns(console.exec(mbean, "suspend()"));
        assertThat(route.status()).isEqualTo(ServiceStatus.Suspended);
        assertRuns(console.exec(mbean, "resume()"));
        assertThat(route.status()).isEqualTo(ServiceStatus.Started);
        assertRuns(console.exec(mbean, "reset()"));
        assertThat(console.read(mbean, "ExchangesTotal").get("value").asLong()).isZero();
        assertRuns(console.exec(mbean, "stop(long)", 5));
        assertThat(route.status()).isEqualTo(ServiceStatus.Stopped);

        assertRefused(console.exec(mbean, "remove()"));
        assertRefused(console.exec(mbean, "restart()"));
        assertRefused(console.exec(mbean, "updateRouteFromXml(java.lang.String)",
                "<route id=\"test-console-operations\"><from uri=\"direct:test-console-operations\"/><to uri=\"file:/tmp\"/></route>"));
        assertThat(route.status()).isEqualTo(ServiceStatus.Stopped);
        assertThat(camelContext.getRoute("test-console-operations").getEndpoint().getEndpointUri())
                .isEqualTo("direct://test-console-operations");
    }

    @Test
    void sendingToAFileEndpointIsRefusedAndWritesNothing() {
        String file = "file:" + directory + "?fileName=written-by-the-console.txt";

        assertRefused(console.exec(context, SEND_STRING_BODY, file, "written through Jolokia"));
        assertRefused(console.exec(context, "sendBody(java.lang.String,java.lang.Object)", file, "written through Jolokia"));
        assertRefused(console.exec(context, "sendStringBody", file, "written through Jolokia"));

        assertThat(directory).isEmptyDirectory();
    }

    @Test
    void queryingTheDatabaseThroughASqlEndpointIsRefused() {
        JsonNode answer = console.exec(context, REQUEST_STRING_BODY, "sql:select current_user, version()", "");

        assertRefused(answer);
        assertThat(answer.toString()).doesNotContain("PostgreSQL");
        assertRefused(console.exec(context, "requestBody(java.lang.String,java.lang.Object)",
                "sql:select current_user, version()", ""));
    }

    @Test
    void readingAFileThroughALanguageIsRefused() throws Exception {
        Path secret = Files.writeString(directory.resolve("secret.txt"), "the-content-of-a-local-file");

        JsonNode answer = console.exec(context, REQUEST_STRING_BODY, "language:constant:resource:file:" + secret, "");

        assertRefused(answer);
        assertThat(answer.toString()).doesNotContain("the-content-of-a-local-file");
    }

    @Test
    void theCamelContextCannotBeStoppedNorEndpointsCreatedNorTracingSwitchedOn() {
        // One argument too many: should the policy let these through, Jolokia refuses the call for its
        // arguments (400) instead of stopping the application every other test shares.
        assertRefused(console.exec(context, "stop()", "one too many"));
        assertRefused(console.exec(context, "suspend()", "one too many"));
        assertRefused(console.exec(context, "createEndpoint(java.lang.String)", "file:" + directory));
        assertRefused(console.exec(context, "removeEndpoints(java.lang.String)", "*"));
        assertRefused(console.write(context, "Tracing", true));

        assertThat(camelContext.getStatus()).isEqualTo(ServiceStatus.Started);
        assertThat(camelContext.hasEndpoint("file:" + directory)).isNull();
        assertThat(camelContext.isTracing()).isFalse();
    }

    @Test
    void jolokiaItselfTheJvmAndItsLoggersCannotBeChanged() {
        String jolokiaConfig = console.search("jolokia:type=Config,*");
        assertRefused(console.write(jolokiaConfig, "Debug", true));
        assertRefused(console.exec(jolokiaConfig, "debugInfo()"));
        assertRefused(console.exec(jolokiaConfig, "resetHistoryEntries()"));
        assertThat(console.read(jolokiaConfig, "Debug").get("value").asBoolean()).isFalse();

        assertRefused(console.exec("java.lang:type=Memory", "gc()"));
        assertRefused(console.exec("java.lang:type=Threading", "dumpAllThreads(boolean,boolean)", true, true));
        assertRefused(console.exec("java.util.logging:type=Logging", "setLoggerLevel(java.lang.String,java.lang.String)",
                JUL_LOGGER.getName(), "FINEST"));
        assertThat(JUL_LOGGER.getLevel()).isNotEqualTo(Level.FINEST);
        assertRefused(console.exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties()"));
        assertRefused(console.exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap(java.lang.String,boolean)",
                directory.resolve("heap.hprof").toString(), true));
        assertThat(directory).isEmptyDirectory();
        assertRefused(console.read("java.lang:type=Runtime", "SystemProperties"));
    }

    private static void assertRuns(JsonNode answer) {
        assertThat(answer.get("status").asInt()).as(answer.toString()).isEqualTo(200);
    }

    private static void assertRefused(JsonNode answer) {
        assertThat(answer.get("status").asInt()).as(answer.toString()).isEqualTo(403);
    }
}
