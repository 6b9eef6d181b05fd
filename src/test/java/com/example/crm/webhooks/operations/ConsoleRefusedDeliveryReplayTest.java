package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * An operator replays refused deliveries from the console: the RefusedDeliveries MBean's
 * replayMatching(...) and replay(id), through Jolokia, do what POST /actuator/refused/.../replay does.
 */
class ConsoleRefusedDeliveryReplayTest extends WebhookServiceTest {

    private static final String ALERT = "{\"subscriptionId\": \"sub-console\", \"data\": {\"person\": {\"firstName\": \"Grace\"}}}";

    @LocalServerPort
    private int managementPort;

    @Test
    void anOperatorReplaysRefusedDeliveriesFromTheConsole() {
        assertThat(http.postJson("/api/webhooks/reversecontact", ALERT).statusCode()).isEqualTo(404);
        String id = jdbc.queryForObject("select id from refused_deliveries", String.class);
        ConsoleSession console = ConsoleSession.logIn(managementPort);
        String refused = console.search("com.example.crm.webhooks:type=RefusedDeliveries,*");
        assertThat(refused).as("named after the Camel context").contains("context=\"" + camelContext.getName() + "\"");

        JsonNode stillRefused = console.exec(refused, "replay(java.lang.String)", id);
        assertThat(stillRefused.get("status").asInt()).as(stillRefused.toString()).isEqualTo(200);
        assertThat(stillRefused.get("value").asText()).isEqualTo("unknown subscriptionId");

        jdbc.update("insert into people (id, first_name, alert_subscription_id) values ('p-console', 'Grace', 'sub-console')");
        JsonNode replayed = console.exec(refused, "replayMatching(java.lang.String,java.lang.String,java.lang.String,java.lang.String)",
                "reversecontact-alert", "unknown_entity", "", "");

        assertThat(replayed.get("status").asInt()).as(replayed.toString()).isEqualTo(200);
        assertThat(replayed.get("value")).extracting(JsonNode::asText).containsExactly(id + ": applied");
        assertThat(db.count("person_change_alerts")).isEqualTo(1);
        assertThat(console.exec(refused, "replay(java.lang.String)", id).get("value").asText()).isEqualTo("applied");
        assertThat(db.count("person_change_alerts")).isEqualTo(1);
    }
}
