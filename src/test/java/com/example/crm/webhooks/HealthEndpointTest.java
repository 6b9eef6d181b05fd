package com.example.crm.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Health is UP while the database answers: the public port says only that, the operator sees why. */
class HealthEndpointTest extends WebhookServiceTest {

    @LocalServerPort
    private int managementPort;

    @Test
    void healthIsUpWhileTheDatabaseAnswers() {
        var response = ManagementClient.operator(managementPort).get("/actuator/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"");
    }

    @Test
    void thePublicPortSaysTheStatusAndNothingElse() {
        for (String path : new String[] {"/actuator/health", "/livez", "/readyz"}) {
            var response = http.get(path);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.body()).as(path).isEqualTo("{\"status\":\"UP\"}");
        }
    }
}
