package com.example.crm.webhooks.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.twilio.security.RequestValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The curl lines README gives for the embedded mode carry signatures the Twilio SDK accepts for
 * the embedded mode's token and public URL (application-local.yaml), so they keep working.
 */
class TwilioReadmeExamplesTest {

    private static final Pattern CURL = Pattern.compile("^curl -i (\\S+) \\\\$");
    private static final Pattern SIGNATURE = Pattern.compile("^\\s*-H 'X-Twilio-Signature: (\\S+)' \\\\$");
    private static final Pattern FIELD = Pattern.compile("^\\s*--data-urlencode '([^=']+)=([^']*)'( \\\\)?$");

    @Test
    void everyReadmeCurlExampleIsSignedForTheEmbeddedMode() throws IOException {
        Map<String, Object> local;
        try (InputStream yaml = getClass().getResourceAsStream("/application-local.yaml")) {
            local = new Yaml().load(yaml);
        }
        String token = (String) local.get("TWILIO_AUTH_TOKEN");
        String publicBaseUrl = (String) local.get("PUBLIC_BASE_URL");
        List<String> lines = Files.readAllLines(Path.of("README.md"));

        List<String> checked = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher curl = CURL.matcher(lines.get(i));
            if (!curl.matches() || !curl.group(1).contains("/api/webhooks/twilio/")) {
                continue;
            }
            Matcher signature = SIGNATURE.matcher(lines.get(++i));
            assertThat(signature.matches()).as("signature header after %s", curl.group(1)).isTrue();
            Map<String, String> form = new LinkedHashMap<>();
            Matcher field;
            do {
                field = FIELD.matcher(lines.get(++i));
                assertThat(field.matches()).as("form field line %s", lines.get(i)).isTrue();
                form.put(field.group(1), field.group(2));
            } while (field.group(3) != null);

            assertThat(curl.group(1)).startsWith(publicBaseUrl);
            assertThat(new RequestValidator(token).validate(curl.group(1), form, signature.group(1)))
                    .as("README example %s %s", curl.group(1), form).isTrue();
            checked.add(curl.group(1));
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(3)
                .anyMatch(url -> url.endsWith("/inbound")).anyMatch(url -> url.endsWith("/message-status"));
    }
}
