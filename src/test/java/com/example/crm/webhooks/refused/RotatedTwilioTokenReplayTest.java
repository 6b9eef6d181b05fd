package com.example.crm.webhooks.refused;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Twilio signs with a token the service does not have yet (a rotation): 50 inbound messages, and 10
 * forged ones signed with a token nobody gave the service, are each answered 403 and kept. The
 * service restarted with the new token as TWILIO_AUTH_TOKEN_SECONDARY, a replay of the reason applies the 50 once, each with the
 * time it was first received; the 10 forged ones stay refused, listed with the replay's outcome; a
 * second replay changes nothing.
 */
class RotatedTwilioTokenReplayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NEW_TOKEN = "rotated-twilio-auth-token";
    private static final String FORGER_TOKEN = "a-token-nobody-gave-the-service";
    private static final int GENUINE = 50;
    private static final int FORGED = 10;

    private ServiceInstance instance;

    @AfterEach
    void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    @Test
    void messagesSignedWithATokenTheServiceLacksAreAppliedOnceWhenItHasIt() throws Exception {
        String jdbcUrl = TestInfrastructure.newDatabase("refused_rotation");
        Map<String, Object> noEnrichment = Map.of("reversecontact.api-key", "");
        instance = ServiceInstance.start("rotation-before", jdbcUrl, noEnrichment);
        TwilioRequests twilio = new TwilioRequests(instance.http());
        String url = TestInfrastructure.PUBLIC_BASE_URL + TwilioRequests.INBOUND;
        for (int n = 0; n < GENUINE + FORGED; n++) {
            Map<String, String> form = TwilioRequests.inboundMessage("SMrotation" + n, "+61412345678", "+61298765432", "m" + n);
            String token = n % 6 == 5 ? FORGER_TOKEN : NEW_TOKEN;
            HttpResponse<String> answer = twilio.postWithSignature(TwilioRequests.INBOUND, form,
                    TwilioRequests.signature(token, url, form));
            assertThat(answer.statusCode()).as("message %d", n).isEqualTo(403);
        }
        JdbcTemplate jdbc = instance.jdbc();
        assertThat(jdbc.queryForObject("select count(*) from refused_deliveries where webhook = 'twilio-inbound'"
                + " and reason = 'signature' and not authenticated", Integer.class)).isEqualTo(GENUINE + FORGED);
        assertThat(jdbc.queryForObject("select count(*) from messages", Integer.class)).isZero();
        instance.close();

        // Restarted with the token Twilio signs with now as TWILIO_AUTH_TOKEN_SECONDARY, the old one still primary.
        instance = ServiceInstance.start("rotation-after", jdbcUrl, Map.of("reversecontact.api-key", "",
                "twilio.auth-token-secondary", NEW_TOKEN));
        jdbc = instance.jdbc();
        ManagementClient operator = ManagementClient.operator(instance.managementPort());
        String reason = "{\"webhook\":\"twilio-inbound\",\"reason\":\"signature\"}";
        JsonNode first = replay(operator, reason);
        assertThat(first.path("replayed").asInt()).isEqualTo(GENUINE + FORGED);
        assertThat(first.path("applied").asInt()).isEqualTo(GENUINE);

        assertThat(jdbc.queryForObject("select count(*) from messages", Integer.class)).isEqualTo(GENUINE);
        assertThat(jdbc.queryForObject("""
                select count(*) from messages m
                 where exists (select 1 from refused_deliveries r
                                where r.applied_at is not null and r.received_at = m.created_at
                                  and position(('MessageSid=' || m.twilio_sid || '&') in convert_from(r.body, 'UTF8')) > 0)""",
                Integer.class)).as("each message stored with the time it was first received").isEqualTo(GENUINE);
        List<Map<String, Object>> forged = jdbc.queryForList("""
                select convert_from(body, 'UTF8') as body, outcome, replay_count from refused_deliveries
                 where applied_at is null""");
        assertThat(forged).hasSize(FORGED).allSatisfy(row -> {
            assertThat(row).containsEntry("outcome", "invalid X-Twilio-Signature").containsEntry("replay_count", 1);
            int n = Integer.parseInt(((String) row.get("body")).replaceAll(".*MessageSid=SMrotation(\\d+)&.*", "$1"));
            assertThat(n % 6).as("a forged one").isEqualTo(5);
        });
        JsonNode listed = JSON.readTree(operator.get("/actuator/refused?webhook=twilio-inbound&reason=signature&limit=500").body());
        assertThat(listed.path("refused")).hasSize(GENUINE + FORGED);

        List<Map<String, Object>> messages = jdbc.queryForList("select * from messages order by twilio_sid");
        JsonNode second = replay(operator, reason);
        assertThat(second.path("applied").asInt()).isZero();
        assertThat(second.path("replayed").asInt()).as("only the forged ones are tried again").isEqualTo(FORGED);
        assertThat(jdbc.queryForList("select * from messages order by twilio_sid")).isEqualTo(messages);
        assertThat(jdbc.queryForObject("select count(*) from intake_ledger", Integer.class)).isEqualTo(GENUINE);
    }

    private static JsonNode replay(ManagementClient operator, String filter) throws Exception {
        HttpResponse<String> answer = operator.postJson("/actuator/refused/replay", filter);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }
}
