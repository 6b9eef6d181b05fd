package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.DocSections;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/reverse-contact.md's section on profile change alerts says what the service does: its
 * example, run as written, stores the diff and changed fields it shows (keys in the order the
 * service gives them), and its table's answer to a body that is not JSON is the one the service
 * gives. README's shorter example, run as written, stores its alert.
 */
class ProfileAlertReadmeExamplesTest extends WebhookServiceTest {

    private static final String PATH = "/api/webhooks/reversecontact";
    private static final String DOC = "docs/reverse-contact.md";
    private static final String SECTION = "## Profile change alerts";

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theExampleStoresTheDiffAndChangedFieldsReadmeShows() throws IOException {
        String section = DocSections.section(DOC, SECTION);
        Matcher insert = Pattern.compile("\"(insert into people [^\"]+)\"").matcher(section);
        assertThat(insert.find()).as("README's insert of a person").isTrue();
        List<String> alerts = new ArrayList<>();
        Matcher curl = Pattern.compile("curl -s localhost:8080" + PATH + " -H 'Content-Type: application/json' -d '(\\{.*?\\})'\\n",
                Pattern.DOTALL).matcher(section);
        while (curl.find()) {
            alerts.add(curl.group(1));
        }
        assertThat(alerts).as("README's alerts").hasSize(2);
        Matcher diff = Pattern.compile("The second alert's row holds `changed_fields` `\\{([^}]*)}` and this diff:\\s*```json\\n(.*?)```",
                Pattern.DOTALL).matcher(section);
        assertThat(diff.find()).as("README's diff of the second alert").isTrue();

        jdbc.update(insert.group(1));
        for (String alert : alerts) {
            assertThat(http.postJson(PATH, alert).statusCode()).isEqualTo(200);
        }

        Map<String, Object> second = jdbc.queryForMap(
                "select array_to_string(changed_fields, ',') as changed, diff::text as diff from person_change_alerts order by seq desc limit 1");
        assertThat(second.get("changed")).isEqualTo(diff.group(1));
        // Compared as text, so the order of the keys counts too.
        assertThat(json.readTree((String) second.get("diff")).toString()).isEqualTo(json.readTree(diff.group(2)).toString());
    }

    @Test
    void readmesExampleStoresItsAlert() throws IOException {
        String section = DocSections.section("README.md", "### A profile change alert");
        Matcher insert = Pattern.compile("\"(insert into people [^\"]+)\"").matcher(section);
        assertThat(insert.find()).as("README's insert of a person").isTrue();
        Matcher curl = Pattern.compile("curl -s localhost:8080" + PATH + " -H 'Content-Type: application/json' \\\\\n\\s*-d '(\\{.*?\\})'\n",
                Pattern.DOTALL).matcher(section);
        assertThat(curl.find()).as("README's alert").isTrue();
        Matcher answer = Pattern.compile("\n# (\\{\"ok\":true})\n").matcher(section);
        assertThat(answer.find()).as("README's answer").isTrue();

        jdbc.update(insert.group(1));
        HttpResponse<String> response = http.postJson(PATH, curl.group(1));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(answer.group(1));
        assertThat(jdbc.queryForObject("select count(*) from person_change_alerts", Integer.class)).isEqualTo(1);
    }

    @Test
    void theAnswerReadmeGivesToABodyThatIsNotJsonIsTheServicesAnswer() throws IOException {
        String row = DocSections.section(DOC, SECTION).lines()
                .filter(line -> line.startsWith("| not `application/json`"))
                .findFirst().orElseThrow(() -> new AssertionError("README's row for a body that is not JSON"));
        Set<String> stated = statuses(row.split("\\|")[2]);

        String alert = "{\"subscriptionId\":\"sub-readme\",\"data\":{\"person\":{\"firstName\":\"Ada\"}}}";
        Set<String> given = new TreeSet<>();
        given.add(String.valueOf(http.post(PATH, "application/x-www-form-urlencoded", alert, Map.of()).statusCode()));
        given.add(String.valueOf(http.postForm(PATH, Map.of("subscriptionId", "sub-readme"), Map.of()).statusCode()));
        given.add(String.valueOf(http.post(PATH, "text/plain", alert, Map.of()).statusCode()));

        assertThat(stated).as("README: %s", row).isEqualTo(given);
    }

    private static Set<String> statuses(String text) {
        Set<String> statuses = new TreeSet<>();
        Matcher status = Pattern.compile("\\b[1-5]\\d\\d\\b").matcher(text);
        while (status.find()) {
            statuses.add(status.group());
        }
        return statuses;
    }
}
