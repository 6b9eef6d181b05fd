package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The management port asks for the configured user for everything but health; the public port
 * serves webhooks and health to anyone and no other actuator endpoint.
 */
class ManagementPortSecurityTest extends WebhookServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    private int managementPort;

    private ManagementClient anonymous;
    private ManagementClient operator;

    @BeforeEach
    void clients() {
        anonymous = ManagementClient.anonymous(managementPort);
        operator = ManagementClient.operator(managementPort);
    }

    @Test
    void anonymousCallersAreRefusedTheConsoleJolokiaMetricsAndDeadLetters() {
        for (String path : new String[] {"/actuator/hawtio/", "/actuator/jolokia/version", "/actuator/prometheus",
                "/actuator/info", "/actuator/deadletters"}) {
            HttpResponse<String> response = anonymous.get(path);
            assertThat(response.statusCode()).as(path).isIn(302, 401);
            if (response.statusCode() == 302) {
                assertThat(response.headers().firstValue("Location")).as(path).hasValueSatisfying(
                        location -> assertThat(location).endsWith("/login"));
            }
        }
        assertThat(anonymous.postJson("/actuator/deadletters", "{}").statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordIsRefused() {
        ManagementClient intruder = ManagementClient.as(managementPort, ManagementClient.USERNAME, "guess");
        assertThat(intruder.get("/actuator/prometheus").statusCode()).isEqualTo(401);
        assertThat(intruder.get("/actuator/deadletters").statusCode()).isEqualTo(401);
        assertThat(intruder.get("/actuator/jolokia/version").statusCode()).isEqualTo(401);
    }

    @Test
    void theOperatorGetsTheConsoleAndJolokia() {
        HttpResponse<String> console = operator.get("/actuator/hawtio/");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).containsIgnoringCase("<html");
        ConsoleSession session = ConsoleSession.logIn(managementPort);
        assertThat(session.jolokia(JSON.createObjectNode().put("type", "version")).get("status").asInt()).isEqualTo(200);
    }

    @Test
    void infoNamesTheServiceAndItsCamelVersion() {
        HttpResponse<String> info = operator.get("/actuator/info");
        assertThat(info.statusCode()).isEqualTo(200);
        // build-info from the Maven build, camel.* from Camel's own info contributor.
        assertThat(info.body()).contains("\"build\":{").contains("\"name\":\"webhook-service\"")
                .contains("\"version\":\"0.1.0-SNAPSHOT\"").contains("\"camel.version\":\"4.17.0\"");
    }

    @Test
    void healthIsOpenOnBothPortsAndTheProbesOnThePublicPort() {
        assertThat(anonymous.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
        assertThat(http.get("/livez").body()).startsWith("{\"status\":\"UP\"");
        // The probes say the status alone; which components, and why, is the operator's.
        assertThat(http.get("/readyz").body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(operator.get("/actuator/health/readiness").body()).startsWith("{\"status\":\"UP\"").contains("\"intake\"");
    }

    @Test
    void thePublicPortServesNoOtherActuatorEndpoint() {
        for (String path : new String[] {"/actuator", "/actuator/prometheus", "/actuator/jolokia/version",
                "/actuator/hawtio/", "/actuator/deadletters", "/actuator/env", "/login"}) {
            assertThat(http.get(path).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(http.postJson("/actuator/deadletters", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void jolokiaReadsCamelButNeverTheJvmDiagnostics() {
        ConsoleSession session = ConsoleSession.logIn(managementPort);
        JsonNode camel = session.read("org.apache.camel:type=context,*", "CamelVersion");
        assertThat(camel.toString()).contains("\"status\":200").contains("\"CamelVersion\":\"4.17.0\"");

        String context = session.search("org.apache.camel:type=context,*");
        assertThat(session.exec(context, "dumpRoutesAsXml()").get("status").asInt()).as("exec on Camel, as the console does")
                .isEqualTo(200);
        assertThat(session.exec("java.lang:type=Memory", "gc()").get("status").asInt()).as("exec outside the allowed MBeans")
                .isEqualTo(403);
        assertThat(session.exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties()").get("status").asInt())
                .isEqualTo(403);
        assertThat(session.exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap(java.lang.String,boolean)", "x.hprof", true)
                .get("status").asInt()).isEqualTo(403);
        assertThat(session.write("java.lang:type=Memory", "Verbose", true).get("status").asInt()).isEqualTo(403);
    }
}
