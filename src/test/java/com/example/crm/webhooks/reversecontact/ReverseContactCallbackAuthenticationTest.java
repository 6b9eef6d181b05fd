package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.example.crm.webhooks.enrichment.EnrichmentPause;
import com.example.crm.webhooks.support.FaultInjection;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * Reverse Contact's callbacks authenticated by REVERSECONTACT_CALLBACK_SECRET: a resolve callback
 * needs the sig= its URL was signed with, an alert ?secret=, or 403 and nothing written; the
 * management port gives out signed URLs to the operator; neither the secret nor a signature reaches
 * the log or the intake spool. One more instance of the service, with the secret, serves every
 * test of this class (on the shared database); the shared application, without it, shows that
 * both webhooks work unauthenticated as before.
 */
class ReverseContactCallbackAuthenticationTest extends WebhookServiceTest {

    private static final String SECRET = "test-callback-secret-with-32-characters-at-least";
    private static final String RESOLVE = "/api/webhooks/reversecontact/resolve";
    private static final String ALERT = "/api/webhooks/reversecontact";
    private static final String ADA = "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/in/ada-lovelace\"}}";
    private static final String ALERT_BODY = "{\"subscriptionId\":\"sub-ada\",\"data\":{\"person\":{\"headline\":\"Analyst\"}}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ServiceInstance signed;
    private static WebhookClient signedHttp;

    @LocalServerPort
    private int sharedManagementPort;

    private EnrichmentPause enrichmentPaused;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<FaultInjection> faults = new ArrayList<>();

    /**
     * Started by the first test, not in a @BeforeAll: Camel's test support holds back the start of
     * every Camel context until the shared application's is loaded, which comes after @BeforeAll.
     */
    private static void startTheServiceWithTheSecret() {
        if (signed == null) {
            // No API key: this instance claims none of the jobs its callbacks queue.
            signed = ServiceInstance.start("reversecontact-signed", TestInfrastructure.jdbcUrl(),
                    Map.of("reversecontact.callback-secret", SECRET, "reversecontact.api-key", ""));
            signedHttp = signed.http();
        }
    }

    @AfterAll
    static void stopIt() {
        if (signed != null) {
            signed.close();
        }
    }

    @BeforeEach
    void entitiesAndLogCapture() {
        startTheServiceWithTheSecret();
        enrichmentPaused = EnrichmentPause.of(camelContext);
        jdbc.update("insert into people (id, alert_subscription_id) values ('p-1', 'sub-ada'), ('p-2', null)");
        jdbc.update("insert into contacts (id) values ('p-1')");
        log.start();
        rootLogger.addAppender(log);
    }

    @AfterEach
    void stopCapturing() {
        rootLogger.detachAppender(log);
        faults.forEach(FaultInjection::disarm);
        enrichmentPaused.close();
    }

    @Test
    void aResolveCallbackSignedForItsEntityIsTaken() {
        HttpResponse<String> response = signedHttp.postJson(RESOLVE + "?type=person&id=p-1&sig=" + sig("person", "p-1"), ADA);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"ok\":true}");
        assertThat(jdbc.queryForObject("select linkedin_url from people where id = 'p-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada-lovelace");
        assertThat(jdbc.queryForObject("select outcome from resolve_callbacks", String.class)).isEqualTo("resolved");
    }

    @Test
    void aResolveCallbackWithoutItsEntitysSignatureIs403AndWritesNothing() {
        String elsewhere = Base64.getUrlEncoder().withoutPadding().encodeToString(
                hmac("another-secret-with-32-characters-or-more", "person\np-1"));
        assertForbidden(RESOLVE + "?type=person&id=p-1", ADA, "missing query parameter sig");
        assertForbidden(RESOLVE + "?type=person&id=p-1&sig=", ADA, "missing query parameter sig");
        assertForbidden(RESOLVE + "?type=person&id=p-1&sig=" + elsewhere, ADA, "invalid query parameter sig");
        assertForbidden(RESOLVE + "?type=person&id=p-1&sig=" + sig("person", "p-2"), ADA, "invalid query parameter sig");
        assertForbidden(RESOLVE + "?type=person&id=p-1&sig=" + sig("contact", "p-1"), ADA, "invalid query parameter sig");
        assertForbidden(RESOLVE + "?type=person&id=p-1&sig=" + sig("person", "p-1") + "&sig=" + sig("person", "p-1"), ADA,
                "missing query parameter sig");
        // The padded, standard base64 of the right HMAC is another text.
        assertForbidden(RESOLVE + "?type=person&id=p-1&sig=" + URLEncoder.encode(
                Base64.getEncoder().encodeToString(hmac(SECRET, "person\np-1")), StandardCharsets.UTF_8), ADA,
                "invalid query parameter sig");
        // Checked before the body: a bad body without a sig learns nothing.
        assertForbidden(RESOLVE + "?type=person&id=p-1", "{not json", "missing query parameter sig");
    }

    @Test
    void anAlertNeedsTheSecretInItsUrl() {
        assertForbidden(ALERT, ALERT_BODY, "missing query parameter secret");
        assertForbidden(ALERT + "?secret=" + SECRET.substring(1), ALERT_BODY, "invalid query parameter secret");
        assertForbidden(ALERT + "?secret=" + SECRET + "x", ALERT_BODY, "invalid query parameter secret");
        assertForbidden(ALERT + "?sig=" + sig("person", "p-1"), ALERT_BODY, "missing query parameter secret");

        HttpResponse<String> response = signedHttp.postJson(ALERT + "?secret=" + SECRET, ALERT_BODY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"ok\":true}");
        assertThat(jdbc.queryForObject("select profile_snapshot->>'headline' from people where id = 'p-1'", String.class))
                .isEqualTo("Analyst");
    }

    @Test
    void theOperatorGetsASignedUrlForAnyIdThatTheResolveWebhookAccepts() throws Exception {
        String id = "p 3/ü&type=company#x";
        jdbc.update("insert into people (id) values (?)", id);

        HttpResponse<String> answer = ManagementClient.operator(signed.managementPort())
                .get("/actuator/resolvecallbackurl?type=person&id=" + URLEncoder.encode(id, StandardCharsets.UTF_8));

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        String url = body.path("url").asText();
        assertThat(url).startsWith(TestInfrastructure.PUBLIC_BASE_URL + RESOLVE + "?type=person&id=p+3%2F%C3%BC%26type%3Dcompany%23x&sig=")
                .doesNotContain(SECRET);
        assertThat(body.path("signed").asBoolean()).isTrue();
        assertThat(body.toString()).doesNotContain(SECRET);

        HttpResponse<String> callback = signedHttp.postJson(url.substring(TestInfrastructure.PUBLIC_BASE_URL.length()), ADA);

        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select linkedin_url from people where id = ?", String.class, id))
                .isEqualTo("https://www.linkedin.com/in/ada-lovelace");
    }

    @Test
    void theSignedUrlNeedsTheOperatorsLoginAndATypeAndId() {
        String path = "/actuator/resolvecallbackurl?type=person&id=p-1";
        assertThat(ManagementClient.anonymous(signed.managementPort()).get(path).statusCode()).isEqualTo(401);
        assertThat(ManagementClient.as(signed.managementPort(), ManagementClient.USERNAME, "guess").get(path).statusCode())
                .isEqualTo(401);
        assertThat(http.get(path).statusCode()).as("not on the public port").isEqualTo(404);
        ManagementClient operator = ManagementClient.operator(signed.managementPort());
        assertThat(operator.get("/actuator/resolvecallbackurl?type=people&id=p-1").statusCode()).isEqualTo(400);
        assertThat(operator.get("/actuator/resolvecallbackurl?type=person&id=%20").statusCode()).isEqualTo(400);
        assertThat(operator.get("/actuator/resolvecallbackurl?type=person").statusCode()).isEqualTo(400);
    }

    @Test
    void withoutTheSecretBothWebhooksTakeAnyCallerAndTheUrlIsUnsigned() throws Exception {
        // The shared application runs without REVERSECONTACT_CALLBACK_SECRET.
        assertThat(http.postJson(RESOLVE + "?type=person&id=p-1", ADA).statusCode()).isEqualTo(200);
        assertThat(http.postJson(RESOLVE + "?type=contact&id=p-1&sig=anything", ADA).statusCode()).isEqualTo(200);
        assertThat(http.postJson(ALERT, ALERT_BODY).statusCode()).isEqualTo(200);
        assertThat(db.count("resolve_callbacks")).isEqualTo(2);
        assertThat(db.count("person_change_alerts")).isEqualTo(1);

        HttpResponse<String> answer = ManagementClient.operator(sharedManagementPort).get("/actuator/resolvecallbackurl?type=person&id=p-2");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body())).isEqualTo(JSON.readTree("{\"url\":\"" + TestInfrastructure.PUBLIC_BASE_URL + RESOLVE
                + "?type=person&id=p-2\",\"signed\":false}"));
    }

    /**
     * The intake spool keeps a delivery without its sig or secret (checked when it came): a spooled
     * callback is applied without them, and a spooled alert the database refuses is a dead letter
     * whose payload (the spooled document) holds neither.
     */
    @Test
    void theIntakeSpoolKeepsNeitherTheSecretNorTheSignature() throws Exception {
        // The database "down" for the store steps until all three are spooled (a drain meanwhile fails
        // and leaves them in the spool).
        List<FaultInjection> down = List.of(
                fault("record-resolve-callback", "to-postgres-save-url-and-queue-enrichment").failAlways(databaseDown()),
                fault("store-profile-change-alert", "to-postgres-store-profile-change-alert").failAlways(databaseDown()));
        String sig = sig("person", "p-1");
        String unknownSig = sig("person", "p-unknown");

        assertThat(signedHttp.postJson(RESOLVE + "?type=person&id=p-1&sig=" + sig, ADA).statusCode()).isEqualTo(200);
        assertThat(signedHttp.postJson(RESOLVE + "?type=person&id=p-unknown&sig=" + unknownSig, ADA).statusCode()).isEqualTo(200);
        assertThat(signedHttp.postJson(ALERT + "?secret=" + SECRET + "&source=rc",
                "{\"subscriptionId\":\"sub-unknown\",\"data\":{}}").statusCode()).isEqualTo(200);
        assertThat(db.count("resolve_callbacks") + db.count("dead_letters")).as("nothing stored yet").isZero();
        down.forEach(FaultInjection::disarm);

        await("the spooled deliveries applied or dead-lettered").atMost(Duration.ofSeconds(20)).until(() ->
                db.count("dead_letters") == 2 && db.count("resolve_callbacks") == 1);
        assertThat(jdbc.queryForObject("select linkedin_url from people where id = 'p-1'", String.class))
                .isEqualTo("https://www.linkedin.com/in/ada-lovelace");
        List<String> documents = jdbc.queryForList("select payload::text from dead_letters order by route_id", String.class);
        assertThat(documents).hasSize(2).noneMatch(document -> document.contains(SECRET) || document.contains(unknownSig));
        List<String> kept = new ArrayList<>();
        for (String document : documents) {
            kept.add(JSON.readTree(document).path("pathAndQuery").asText());
        }
        assertThat(kept).containsExactly(ALERT + "?source=rc", RESOLVE + "?type=person&id=p-unknown");
    }

    @Test
    void theSecretAndTheSignaturesNeverReachTheLog() {
        String sig = sig("person", "p-1");
        String forged = sig("person", "p-2");
        signedHttp.postJson(RESOLVE + "?type=person&id=p-1&sig=" + sig, ADA);
        signedHttp.postJson(RESOLVE + "?type=person&id=p-1&sig=" + forged, ADA);
        signedHttp.postJson(RESOLVE + "?type=person&id=p-1&sig=" + sig, "{\"data\":{\"linkedinUrl\":\"https://evil.example/x\"}}");
        signedHttp.postJson(ALERT + "?secret=" + SECRET, ALERT_BODY);
        signedHttp.postJson(ALERT + "?secret=" + SECRET + "-guess", ALERT_BODY);
        signedHttp.postJson(ALERT + "?secret=" + SECRET, "{\"subscriptionId\":\"sub-nobody\"}");
        // An unexpected failure is logged with its stack trace.
        fault("record-resolve-callback", "to-postgres-save-url-and-queue-enrichment")
                .failNext(1, new IllegalStateException("a bug in the store step"));
        assertThat(signedHttp.postJson(RESOLVE + "?type=person&id=p-1&sig=" + sig, ADA).statusCode()).isEqualTo(500);

        // The capture works: each request's line, and the failure's, are there.
        await("the webhook log lines").atMost(Duration.ofSeconds(10)).until(() -> logged().stream()
                .filter(line -> line.startsWith("webhook route=reversecontact-")).count() == 7);
        List<String> logged = logged();
        assertThat(logged)
                .anyMatch(line -> line.startsWith("webhook route=reversecontact-resolve outcome=rejected/signature status=403 "))
                .anyMatch(line -> line.startsWith("webhook route=reversecontact-alert outcome=rejected/signature status=403 "))
                .anyMatch(line -> line.startsWith("webhook route=reversecontact-alert outcome=rejected/unknown_entity status=404 id=sub-nobody"))
                .anyMatch(line -> line.startsWith("Webhook reversecontact-resolve failed") && line.contains("a bug in the store step"));
        assertThat(logged).noneMatch(line -> line.contains(SECRET) || line.contains(sig) || line.contains(forged));
    }

    private void assertForbidden(String pathAndQuery, String body, String error) {
        var before = db.snapshot();
        HttpResponse<String> response = signedHttp.postJson(pathAndQuery, body);
        assertThat(response.statusCode()).as(pathAndQuery).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"error\":\"" + error + "\"}");
        assertThat(db.snapshot()).isEqualTo(before);
    }

    /** Every captured line, with its stack trace. */
    private List<String> logged() {
        return log.list.stream().map(event -> event.getFormattedMessage()
                + (event.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())))
                .toList();
    }

    private FaultInjection fault(String routeId, String stepId) {
        FaultInjection fault = FaultInjection.before(signed.bean(CamelContext.class), routeId, stepId);
        faults.add(fault);
        return fault;
    }

    /** As README tells the CRM to sign: base64url without padding of HMAC-SHA256(secret, type + "\n" + id). */
    private static String sig(String type, String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(SECRET, type + "\n" + id));
    }

    private static byte[] hmac(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CannotGetJdbcConnectionException databaseDown() {
        return new CannotGetJdbcConnectionException("no connection", new SQLTransientConnectionException("pool timed out"));
    }
}
