package com.example.crm.webhooks.reversecontact;

import static com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.PATH;
import static com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.alert;
import static com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.reversecontact.ProfileAlertFixtures.StoredAlert;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /api/webhooks/reversecontact: each alert is stored with its diff against the snapshot before it. */
class ProfileChangeAlertTest extends WebhookServiceTest {

    private static final String SUBSCRIPTION = "sub-ada";

    private static final String FIRST = """
            {"firstName": "Ada", "lastName": "Lovelace", "headline": "Analyst",
             "location": {"city": "London", "country": "United Kingdom"},
             "experience": [{"title": "Analyst", "companyName": "Analytical Engines",
                             "startEndDate": {"start": "1842", "end": null}}],
             "skills": ["Mathematics"]}""";

    // A new position on top, a new headline.
    private static final String SECOND = """
            {"firstName": "Ada", "lastName": "Lovelace", "headline": "Lead at Babbage & Co",
             "location": {"city": "London", "country": "United Kingdom"},
             "experience": [{"title": "Lead", "companyName": "Babbage & Co",
                             "startEndDate": {"start": "1843", "end": null}},
                            {"title": "Analyst", "companyName": "Analytical Engines",
                             "startEndDate": {"start": "1842", "end": null}}],
             "skills": ["Mathematics"]}""";

    // The old position ended, skills gone, a summary added, moved within London.
    private static final String THIRD = """
            {"firstName": "Ada", "lastName": "Lovelace", "headline": "Lead at Babbage & Co",
             "location": {"city": "Marylebone", "country": "United Kingdom"},
             "experience": [{"title": "Lead", "companyName": "Babbage & Co",
                             "startEndDate": {"start": "1843", "end": null}},
                            {"title": "Analyst", "companyName": "Analytical Engines",
                             "startEndDate": {"start": "1842", "end": "1843"}}],
             "summary": "Wrote the first program"}""";

    private ProfileAlertFixtures fixtures;
    private String ada;

    @BeforeEach
    void monitoredPerson() {
        fixtures = new ProfileAlertFixtures(jdbc);
        ada = fixtures.person(SUBSCRIPTION);
    }

    @Test
    void anAlertIsAnsweredOkAsJson() {
        HttpResponse<String> response = http.post(PATH, "application/json", alert(SUBSCRIPTION, FIRST),
                Map.of("X-Request-Marker", "echo-me-not"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(response.body())).isEqualTo(json("{\"ok\": true}"));
        assertThat(response.headers().firstValue("X-Request-Marker")).isEmpty();
    }

    @Test
    void firstSecondAndThirdAlertsStoreTheDiffAgainstTheSnapshotBefore() {
        assertThat(post(alert(SUBSCRIPTION, FIRST)).statusCode()).isEqualTo(200);
        assertThat(post(alert(SUBSCRIPTION, SECOND)).statusCode()).isEqualTo(200);
        assertThat(post(alert(SUBSCRIPTION, THIRD)).statusCode()).isEqualTo(200);

        List<StoredAlert> alerts = fixtures.alertsOf(ada);
        assertThat(alerts).hasSize(3);

        // The first alert diffs against an empty object: every field is added. Operations on
        // object fields come in jsonb's key order (shorter keys first), as both sides are jsonb.
        assertThat(alerts.get(0).diff()).isEqualTo(json("""
                [{"op": "add", "path": "/skills", "value": ["Mathematics"]},
                 {"op": "add", "path": "/headline", "value": "Analyst"},
                 {"op": "add", "path": "/lastName", "value": "Lovelace"},
                 {"op": "add", "path": "/location", "value": {"city": "London", "country": "United Kingdom"}},
                 {"op": "add", "path": "/firstName", "value": "Ada"},
                 {"op": "add", "path": "/experience", "value": [{"title": "Analyst", "companyName": "Analytical Engines",
                                                                "startEndDate": {"start": "1842", "end": null}}]}]"""));
        assertThat(alerts.get(0).changedFields())
                .containsExactly("experience", "firstName", "headline", "lastName", "location", "skills");

        // The new position is one added entry, not the array replaced.
        assertThat(alerts.get(1).diff()).isEqualTo(json("""
                [{"op": "replace", "path": "/headline", "value": "Lead at Babbage & Co"},
                 {"op": "add", "path": "/experience/0", "value": {"title": "Lead", "companyName": "Babbage & Co",
                                                                "startEndDate": {"start": "1843", "end": null}}}]"""));
        assertThat(alerts.get(1).changedFields()).containsExactly("experience", "headline");

        // The old position's end date is a replace inside that entry.
        assertThat(alerts.get(2).diff()).isEqualTo(json("""
                [{"op": "remove", "path": "/skills"},
                 {"op": "replace", "path": "/location/city", "value": "Marylebone"},
                 {"op": "replace", "path": "/experience/1/startEndDate/end", "value": "1843"},
                 {"op": "add", "path": "/summary", "value": "Wrote the first program"}]"""));
        assertThat(alerts.get(2).changedFields()).containsExactly("experience", "location", "skills", "summary");

        // Each row keeps who sent it and the raw alert; the snapshot is the last person, timed by its alert.
        assertThat(alerts).extracting(StoredAlert::subscriptionId).containsOnly(SUBSCRIPTION);
        assertThat(alerts).extracting(StoredAlert::payload).containsExactly(
                json(alert(SUBSCRIPTION, FIRST)), json(alert(SUBSCRIPTION, SECOND)), json(alert(SUBSCRIPTION, THIRD)));
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(json(THIRD));
        assertThat(fixtures.snapshotTimeOf(ada)).isEqualTo(alerts.get(2).receivedAt());
        assertThat(alerts.get(0).receivedAt()).isBefore(alerts.get(1).receivedAt());
        assertThat(alerts.get(1).receivedAt()).isBefore(alerts.get(2).receivedAt());
    }

    @Test
    void theReadmeSampleStoresTheDiffTheReadmeShows() {
        post("""
                {"subscriptionId": "sub-ada",
                 "data": {"person": {"firstName": "Ada", "lastName": "Lovelace", "headline": "Analyst",
                   "experience": [{"title": "Analyst", "companyName": "Analytical Engines",
                                   "startEndDate": {"start": "1842", "end": null}}]}}}""");
        post("""
                {"subscriptionId": "sub-ada",
                 "data": {"person": {"firstName": "Ada", "lastName": "Lovelace", "headline": "Lead at Babbage & Co",
                   "experience": [{"title": "Lead", "companyName": "Babbage & Co",
                                   "startEndDate": {"start": "1843", "end": null}},
                                  {"title": "Analyst", "companyName": "Analytical Engines",
                                   "startEndDate": {"start": "1842", "end": null}}]}}}""");

        StoredAlert second = fixtures.alertsOf(ada).get(1);
        assertThat(second.changedFields()).containsExactly("experience", "headline");
        assertThat(second.diff()).isEqualTo(json("""
                [
                  {"op": "replace", "path": "/headline", "value": "Lead at Babbage & Co"},
                  {"op": "add", "path": "/experience/0",
                   "value": {"title": "Lead", "companyName": "Babbage & Co", "startEndDate": {"start": "1843", "end": null}}}
                ]"""));
    }

    @Test
    void aRedeliveryStoresNothingAndGetsTheSameAnswer() {
        HttpResponse<String> first = post(alert(SUBSCRIPTION, FIRST));
        var afterFirst = db.snapshot();

        HttpResponse<String> again = post(alert(SUBSCRIPTION, FIRST));
        // The same JSON with other whitespace and key order is the same alert.
        HttpResponse<String> reformatted = post("{\"data\":{\"person\":" + json(FIRST) + "},\"subscriptionId\":\""
                + SUBSCRIPTION + "\"}");

        assertThat(List.of(again, reformatted)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(first.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(first.body());
            assertThat(response.headers().firstValue("Content-Type")).isEqualTo(first.headers().firstValue("Content-Type"));
        });
        assertThat(db.snapshot()).isEqualTo(afterFirst);
    }

    @Test
    void aRedeliveryOfAnAlertWithoutPersonStoresNothing() {
        post(alert(SUBSCRIPTION, null));
        var afterFirst = db.snapshot();

        assertThat(post(alert(SUBSCRIPTION, null)).statusCode()).isEqualTo(200);

        assertThat(db.snapshot()).isEqualTo(afterFirst);
    }

    @Test
    void aChangeAndItsReversalAreStoredAsNewAlerts() {
        post(alert(SUBSCRIPTION, FIRST));
        post(alert(SUBSCRIPTION, SECOND));
        assertThat(post(alert(SUBSCRIPTION, FIRST)).statusCode()).isEqualTo(200);

        List<StoredAlert> alerts = fixtures.alertsOf(ada);
        assertThat(alerts).hasSize(3);
        assertThat(alerts.get(2).diff()).isEqualTo(json("""
                [{"op": "replace", "path": "/headline", "value": "Analyst"},
                 {"op": "remove", "path": "/experience/0"}]"""));
        assertThat(alerts.get(2).changedFields()).containsExactly("experience", "headline");
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(json(FIRST));
    }

    @Test
    void anAlertWithoutPersonIsStoredWithAnEmptyDiffAndLeavesTheSnapshot() {
        post(alert(SUBSCRIPTION, FIRST));
        var snapshotTime = fixtures.snapshotTimeOf(ada);

        assertThat(post("{\"subscriptionId\": \"" + SUBSCRIPTION + "\"}").statusCode()).isEqualTo(200);
        assertThat(post(alert(SUBSCRIPTION, null)).statusCode()).isEqualTo(200);
        assertThat(post("{\"subscriptionId\": \"" + SUBSCRIPTION + "\", \"data\": {\"person\": null}}").statusCode())
                .isEqualTo(200);

        List<StoredAlert> alerts = fixtures.alertsOf(ada);
        assertThat(alerts).hasSize(4);
        assertThat(alerts.subList(1, 4)).allSatisfy(alert -> {
            assertThat(alert.diff()).isEqualTo(json("[]"));
            assertThat(alert.changedFields()).isEmpty();
        });
        assertThat(alerts.get(1).payload()).isEqualTo(json("{\"subscriptionId\": \"" + SUBSCRIPTION + "\"}"));
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(json(FIRST));
        assertThat(fixtures.snapshotTimeOf(ada)).isEqualTo(snapshotTime);

        // The next alert with a person still diffs against the last snapshot.
        post(alert(SUBSCRIPTION, SECOND));
        assertThat(fixtures.alertsOf(ada).get(4).changedFields()).containsExactly("experience", "headline");
    }

    @Test
    void numbersKeepTheirPrecisionAndAnUnchangedNumberIsNoChange() {
        String person = "{\"score\": 0.10000000000000000001, \"reach\": 1e400, \"followers\": 12345678901234567890}";
        post(alert(SUBSCRIPTION, person));
        assertThat(post(alert(SUBSCRIPTION, person.replace("}", ", \"headline\": \"Analyst\"}"))).statusCode())
                .isEqualTo(200);

        assertThat(jdbc.queryForObject("""
                select profile_snapshot->'score' = '0.10000000000000000001'::jsonb
                   and profile_snapshot->'reach' = '1e400'::jsonb
                   and profile_snapshot->'followers' = '12345678901234567890'::jsonb
                from people where id = ?""", Boolean.class, ada)).isTrue();
        assertThat(fixtures.alertsOf(ada).get(1).diff()).isEqualTo(json("""
                [{"op": "add", "path": "/headline", "value": "Analyst"}]"""));
    }

    @Test
    void aFirstAlertWithoutPersonLeavesNoSnapshot() {
        assertThat(post(alert(SUBSCRIPTION, null)).statusCode()).isEqualTo(200);

        assertThat(fixtures.alertsOf(ada)).hasSize(1);
        assertThat(fixtures.snapshotOf(ada)).isNull();
        assertThat(fixtures.snapshotTimeOf(ada)).isNull();
    }

    @Test
    void alertsOfAnotherPersonDoNotTouchThisOne() {
        String grace = fixtures.person("sub-grace");
        post(alert(SUBSCRIPTION, FIRST));

        post(alert("sub-grace", SECOND));

        assertThat(fixtures.alertsOf(grace)).singleElement()
                .satisfies(alert -> assertThat(alert.changedFields()).contains("firstName", "experience"));
        assertThat(fixtures.alertsOf(ada)).hasSize(1);
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(json(FIRST));
    }

    @ParameterizedTest(name = "400 for {0}")
    @ValueSource(strings = {
            "{\"subscriptionId\": ",                                    // invalid JSON
            "{\"subscriptionId\": \"sub-ada\"} trailing",               // more than one document
            "",                                                          // no body
            "[{\"subscriptionId\": \"sub-ada\"}]",                       // not an object
            "\"sub-ada\"",
            "null",
            "{}",                                                        // subscriptionId missing
            "{\"subscriptionId\": null}",
            "{\"subscriptionId\": \"\"}",                                // blank
            "{\"subscriptionId\": \"  \"}",
            "{\"subscriptionId\": 42}",                                  // not a string
            "{\"subscriptionId\": [\"sub-ada\"]}",
            "{\"subscriptionId\": \"sub-ada\", \"data\": \"person\"}",   // data not an object
            "{\"subscriptionId\": \"sub-ada\", \"data\": {\"person\": \"Ada\"}}",  // person not an object
            "{\"subscriptionId\": \"sub-ada\", \"data\": {\"person\": [{\"firstName\": \"Ada\"}]}}",
            // JSON that jsonb cannot store
            "{\"subscriptionId\": \"sub-ada\", \"data\": {\"person\": {\"headline\": \"a\\u0000b\"}}}",
            "{\"subscriptionId\": \"sub-ada\", \"data\": {\"person\": {\"headline\": \"\\ud800\"}}}"})
    void aBadAlertIs400AndChangesNothing(String body) {
        post(alert(SUBSCRIPTION, FIRST));
        var before = db.snapshot();

        HttpResponse<String> response = post(body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(response.body()).path("error").asText()).isNotBlank();
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void anUnknownSubscriptionIs404AndChangesNothing() {
        var before = db.snapshot();

        HttpResponse<String> response = post(alert("sub-nobody", FIRST));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response.body()).path("error").asText()).isEqualTo("unknown subscriptionId");
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aBodyOverTheLimitIs413AndChangesNothing() {
        var before = db.snapshot();
        String huge = "{\"subscriptionId\": \"" + SUBSCRIPTION + "\", \"data\": {\"person\": {\"summary\": \""
                + "x".repeat(1_048_576) + "\"}}}";

        HttpResponse<String> response = post(huge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @ParameterizedTest(name = "415 for Content-Type {0}")
    @ValueSource(strings = {"text/plain", "application/xml", "multipart/form-data; boundary=x"})
    void aBodyThatIsNotJsonIs415AndChangesNothing(String contentType) {
        var before = db.snapshot();

        HttpResponse<String> response = http.post(PATH, contentType, alert(SUBSCRIPTION, FIRST), Map.of());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aFormPostIs415AndChangesNothing() {
        var before = db.snapshot();

        HttpResponse<String> form = http.postForm(PATH, Map.of("subscriptionId", SUBSCRIPTION), Map.of());
        // Even a JSON body: what it says it is decides.
        HttpResponse<String> jsonAsForm = http.post(PATH, "application/x-www-form-urlencoded",
                alert(SUBSCRIPTION, FIRST), Map.of());

        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(jsonAsForm.statusCode()).isEqualTo(415);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aBodyWithoutContentTypeIs415AndChangesNothing() {
        var before = db.snapshot();

        HttpResponse<String> response = http.post(PATH, null, alert(SUBSCRIPTION, FIRST), Map.of());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void aJsonSubtypeIsAccepted() {
        HttpResponse<String> response = http.post(PATH, "application/vnd.reversecontact+json; charset=utf-8",
                alert(SUBSCRIPTION, FIRST), Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(fixtures.snapshotOf(ada)).isEqualTo(json(FIRST));
    }

    private HttpResponse<String> post(String body) {
        return http.postJson(PATH, body);
    }
}
