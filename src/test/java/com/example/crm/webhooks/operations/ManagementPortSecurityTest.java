package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
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
        assertThat(operator.get("/actuator/jolokia/version").body()).contains("\"status\":200");
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
        assertThat(http.get("/readyz").body()).startsWith("{\"status\":\"UP\"").contains("\"intake\"");
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
    void jolokiaReadsCamelButNeverTheJvmDiagnostics() throws Exception {
        HttpResponse<String> camel = operator.get("/actuator/jolokia/read/org.apache.camel:type=context,*/CamelVersion");
        assertThat(camel.body()).contains("\"status\":200").contains("\"CamelVersion\":\"4.17.0\"");

        String context = new ObjectMapper().readTree(operator.get("/actuator/jolokia/search/org.apache.camel:type=context,*").body())
                .get("value").get(0).asText().replace("\"", "%22");
        HttpResponse<String> routes = operator.get("/actuator/jolokia/exec/" + context + "/dumpRoutesAsXml()");
        assertThat(routes.body()).as("exec on Camel, as the console does").contains("\"status\":200");
        HttpResponse<String> gc = operator.get("/actuator/jolokia/exec/java.lang:type=Memory/gc()");
        assertThat(gc.body()).as("exec outside the allowed MBeans").contains("\"status\":403");

        HttpResponse<String> diagnostics = operator.get(
                "/actuator/jolokia/exec/com.sun.management:type=DiagnosticCommand/vmSystemProperties()");
        assertThat(diagnostics.body()).doesNotContain("\"status\":200").contains("\"status\":403");
        HttpResponse<String> heapDump = operator.get(
                "/actuator/jolokia/exec/com.sun.management:type=HotSpotDiagnostic/dumpHeap(java.lang.String,boolean)/x.hprof/true");
        assertThat(heapDump.body()).contains("\"status\":403");
        HttpResponse<String> write = operator.get("/actuator/jolokia/write/java.lang:type=Memory/Verbose/true");
        assertThat(write.body()).contains("\"status\":403");
    }
}
