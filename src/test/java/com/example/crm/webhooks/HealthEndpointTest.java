package com.example.crm.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import org.junit.jupiter.api.Test;

class HealthEndpointTest extends WebhookServiceTest {

    @Test
    void healthIsUpWhileTheDatabaseAnswers() {
        var response = http.get("/actuator/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"}");
    }
}
