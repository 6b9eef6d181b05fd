package com.example.crm.webhooks.refused;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A delivery a webhook refuses after its body arrived is kept as received (less the query's
 * credentials), with the answer it got and why; the caller's answer and the domain tables stay as
 * they were. An operator lists it, reads it and replays it: applied once, with the time it was
 * first received, when its cause is gone; still refused otherwise, with the replay's outcome.
 */
class RefusedDeliveriesTest extends WebhookServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALERTS = "/api/webhooks/reversecontact";

    @LocalServerPort
    private int managementPort;

    private ManagementClient operator;
    private TwilioRequests twilio;

    @BeforeEach
    void operatorAndTwilio() {
        operator = ManagementClient.operator(managementPort);
        twilio = new TwilioRequests(http);
    }

    @Test
    void aForgedTwilioMessageIsAnsweredAsBeforeAndKeptAsReceived() throws Exception {
        var before = db.snapshot();
        Map<String, String> form = TwilioRequests.inboundMessage("SMforged1", "+61412345678", "+61298765432", "hi");
        HttpResponse<String> answer = twilio.postWithSignature(TwilioRequests.INBOUND + "?tag=a", form, "Zm9yZ2VkIHNpZ25hdHVyZSE=");

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(answer.body()).isEqualTo("{\"error\":\"invalid X-Twilio-Signature\"}");
        assertThat(db.snapshot()).as("the domain tables").isEqualTo(before);
        Map<String, Object> kept = jdbc.queryForMap("""
                select webhook, path_and_query, headers::text as headers, convert_from(body, 'UTF8') as body, status,
                       reason, message, authenticated, replay_count
                from refused_deliveries""");
        assertThat(kept).containsEntry("webhook", "twilio-inbound")
                .containsEntry("path_and_query", TwilioRequests.INBOUND + "?tag=a")
                .containsEntry("body", com.example.crm.webhooks.support.WebhookClient.formEncode(form))
                .containsEntry("status", 403).containsEntry("reason", "signature")
                .containsEntry("message", "invalid X-Twilio-Signature").containsEntry("authenticated", false)
                .containsEntry("replay_count", 0);
        JsonNode headers = JSON.readTree((String) kept.get("headers"));
        assertThat(headers.path("x-twilio-signature").asText()).isEqualTo("Zm9yZ2VkIHNpZ25hdHVyZSE=");
        assertThat(headers.path("content-type").asText()).startsWith("application/x-www-form-urlencoded");
        assertThat(headers.size()).as("only the headers the webhook reads").isEqualTo(2);
    }

    @Test
    void aResolveCallbackKeepsNoCredentialOfItsQuery() {
        HttpResponse<String> answer = http.postJson(
                "/api/webhooks/reversecontact/resolve?type=contact&id=nobody&sig=abc&secret=s3cret",
                "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/nobody\"}}");

        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select path_and_query from refused_deliveries", String.class))
                .isEqualTo("/api/webhooks/reversecontact/resolve?type=contact&id=nobody");
        assertThat(jdbc.queryForObject("select count(*) from refused_deliveries where path_and_query like '%s3cret%'"
                + " or convert_from(body, 'UTF8') like '%s3cret%' or headers::text like '%s3cret%'", Integer.class)).isZero();
    }

    @Test
    void whatHasNoWholeAcceptableBodyIsNotKept() {
        assertThat(http.post(ALERTS, "text/plain", "{}", Map.of()).statusCode()).isEqualTo(415);
        assertThat(db.count("refused_deliveries")).isZero();
    }

    @Test
    void anAlertForASubscriptionCreatedLaterIsAppliedOnceByAReplayWithItsFirstReceiveTime() throws Exception {
        String alert = "{\"subscriptionId\": \"sub-later\", \"data\": {\"person\": {\"firstName\": \"Ada\"}}}";
        HttpResponse<String> answer = http.postJson(ALERTS, alert);
        assertThat(answer.statusCode()).isEqualTo(404);
        Map<String, Object> kept = jdbc.queryForMap("select id, received_at, authenticated, reason from refused_deliveries");
        assertThat(kept).containsEntry("authenticated", true).containsEntry("reason", "unknown_entity");
        String id = (String) kept.get("id");

        JsonNode listed = JSON.readTree(operator.get("/actuator/refused?webhook=reversecontact-alert&reason=unknown_entity").body());
        assertThat(listed.path("refused")).hasSize(1);
        assertThat(listed.path("refused").get(0).path("id").asText()).isEqualTo(id);
        assertThat(listed.path("refused").get(0).has("body")).as("a list shows no body").isFalse();
        assertThat(JSON.readTree(operator.get("/actuator/refused?webhook=twilio-inbound").body()).path("refused")).isEmpty();
        JsonNode one = JSON.readTree(operator.get("/actuator/refused/" + id).body());
        assertThat(one.path("body").asText()).isEqualTo(alert);
        assertThat(one.path("bodyEncoding").asText()).isEqualTo("text");
        assertThat(operator.get("/actuator/refused/no-such-id").statusCode()).isEqualTo(404);

        // Still no such person: refused again, and listed with the replay's outcome.
        HttpResponse<String> replay = operator.postJson("/actuator/refused/" + id + "/replay", "{}");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        JsonNode stillRefused = JSON.readTree(replay.body());
        assertThat(stillRefused.path("replayed").asInt()).isEqualTo(1);
        assertThat(stillRefused.path("applied").asInt()).isZero();
        assertThat(db.count("person_change_alerts")).isZero();
        assertThat(jdbc.queryForMap("select replay_count, outcome, applied_at from refused_deliveries where id = ?", id))
                .containsEntry("replay_count", 1).containsEntry("applied_at", null)
                .containsEntry("outcome", "unknown subscriptionId");

        jdbc.update("insert into people (id, first_name, alert_subscription_id) values ('p-later', 'Ada', 'sub-later')");
        HttpResponse<String> replayMany = operator.postJson("/actuator/refused/replay",
                "{\"webhook\":\"reversecontact-alert\",\"reason\":\"unknown_entity\"}");
        assertThat(replayMany.statusCode()).as(replayMany.body()).isEqualTo(200);
        JsonNode replayed = JSON.readTree(replayMany.body());
        assertThat(replayed.path("replayed").asInt()).isEqualTo(1);
        assertThat(replayed.path("applied").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select received_at from person_change_alerts where person_id = 'p-later'",
                OffsetDateTime.class).toInstant()).isEqualTo(((java.sql.Timestamp) kept.get("received_at")).toInstant());
        assertThat(jdbc.queryForMap("select replay_count, outcome from refused_deliveries where id = ?", id))
                .containsEntry("replay_count", 2).containsEntry("outcome", "applied");

        // Twice applies once.
        assertThat(JSON.readTree(operator.postJson("/actuator/refused/" + id + "/replay", "{}").body())
                .path("outcomes").get(0).path("outcome").asText()).isEqualTo("applied");
        assertThat(JSON.readTree(operator.postJson("/actuator/refused/replay", "{}").body()).path("replayed").asInt()).isZero();
        assertThat(db.count("person_change_alerts")).isEqualTo(1);
    }

    @Test
    void theOperatorsFiltersAreChecked() {
        assertThat(operator.get("/actuator/refused?since=yesterday").statusCode()).isEqualTo(400);
        assertThat(ManagementClient.anonymous(managementPort).get("/actuator/refused").statusCode()).isEqualTo(401);
        assertThat(operator.postJson("/actuator/refused/other", "{}").statusCode()).isEqualTo(404);
    }
}
