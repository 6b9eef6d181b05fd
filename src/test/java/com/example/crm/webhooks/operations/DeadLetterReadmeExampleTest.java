package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.DocSections;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.Yaml;

/**
 * README's walk-through of a dead letter, run as written against the embedded mode's Reverse
 * Contact stand-in (its mappings loaded into the shared WireMock): the resolve callback's job is
 * dead-lettered at once, the list shows it, and the replay queues the job again, which the stand-in
 * refuses again.
 */
class DeadLetterReadmeExampleTest extends WebhookServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    private int managementPort;

    private String section;

    @BeforeEach
    void theEmbeddedModesStandIn() throws IOException, URISyntaxException {
        Path mappings = Path.of(getClass().getResource("/reversecontact-stand-in/mappings").toURI());
        try (Stream<Path> files = Files.list(mappings)) {
            for (Path file : files.toList()) {
                TestInfrastructure.thirdParties().addStubMapping(StubMapping.buildFrom(Files.readString(file)));
            }
        }
        section = DocSections.section("README.md", "### Make a dead letter and replay it");
    }

    @Test
    void theResolveCallbackForTheFailingProfileEndsAsADeadLetterThatReplays() throws IOException {
        String insert = find("\"(insert into people [^\"]+)\"");
        String callbackPath = find("curl -s 'localhost:8080(/api/webhooks/reversecontact/resolve\\?[^']+)'");
        String callbackBody = find("(?s)/reversecontact/resolve\\?.*?-d '(\\{[^']+})'");
        Matcher list = Pattern.compile("curl -s -u (\\S+):(\\S+) localhost:8081(/actuator/deadletters)\\n").matcher(section);
        assertThat(list.find()).as("README's list of the dead letters").isTrue();
        String replayBody = find("-d '(\\{[^']*})' localhost:8081/actuator/deadletters");
        assertThat(Map.of("MANAGEMENT_USERNAME", list.group(1), "MANAGEMENT_PASSWORD", list.group(2)))
                .as("README's login is the embedded mode's").isEqualTo(embeddedLogin());
        ManagementClient operator = ManagementClient.operator(managementPort);

        jdbc.update(insert);
        assertThat(http.postJson(callbackPath, callbackBody).statusCode()).isEqualTo(200);

        JsonNode dead = await("the job dead-lettered").atMost(Duration.ofSeconds(20))
                .until(() -> JSON.readTree(operator.get(list.group(3)).body()), page -> page.get("open").asInt() == 1)
                .get("deadLetters").get(0);
        assertThat(dead.get("error").asText()).contains("422");
        assertThat(jdbc.queryForObject("select attempts from enrichment_jobs", Integer.class)).as("not retried").isEqualTo(1);

        JsonNode replay = JSON.readTree(operator.postJson(list.group(3), replayBody).body());
        assertThat(replay.get("ids")).extracting(JsonNode::asText).containsExactly(dead.get("id").asText());
        // The stand-in refuses the profile every time: the replayed job is a dead letter again.
        JsonNode again = await("the replayed job dead-lettered again").atMost(Duration.ofSeconds(20))
                .until(() -> JSON.readTree(operator.get(list.group(3)).body()), page -> page.get("open").asInt() == 1)
                .get("deadLetters").get(0);
        assertThat(again.get("id").asText()).isNotEqualTo(dead.get("id").asText());
        assertThat(again.get("jobId").asText()).isEqualTo(dead.get("jobId").asText());
    }

    private String find(String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(section);
        assertThat(matcher.find()).as("README's walk-through has %s", regex).isTrue();
        return matcher.group(1);
    }

    private static Map<String, Object> embeddedLogin() throws IOException {
        try (InputStream yaml = DeadLetterReadmeExampleTest.class.getResourceAsStream("/application-local.yaml")) {
            Map<String, Object> local = new Yaml().load(yaml);
            return Map.of("MANAGEMENT_USERNAME", local.get("MANAGEMENT_USERNAME"),
                    "MANAGEMENT_PASSWORD", local.get("MANAGEMENT_PASSWORD"));
        }
    }
}
