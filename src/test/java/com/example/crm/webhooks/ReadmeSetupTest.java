package com.example.crm.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A newcomer reading README's first section learns what the machine needs: Java, every program the
 * examples against the embedded mode ({@code ./mvnw spring-boot:test-run}) run, and every port that
 * mode takes.
 */
class ReadmeSetupTest {

    /** Shell built-ins and coreutils, which no machine lacks. */
    private static final Set<String> EVERYWHERE = Set.of("printf", "echo", "cd", "export", "base64");

    @Test
    void theFirstSectionNamesEveryProgramTheExamplesRun() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String firstSection = firstSection(readme);

        Set<String> programs = programsRunIn(readme);
        assertThat(programs).contains("curl", "psql");
        programs.add("java"); // the two commands' own
        for (String program : programs) {
            assertThat(firstSection.toLowerCase(Locale.ROOT)).as("README's first section names %s", program)
                    .containsPattern("\\b" + Pattern.quote(program) + "\\b");
        }
    }

    @Test
    void theFirstSectionListsEveryPortTheEmbeddedModeNeedsFree() throws IOException {
        String firstSection = firstSection(Files.readString(Path.of("README.md")));
        String applicationYaml = Files.readString(Path.of("src/main/resources/application.yaml"));
        List<Integer> ports = new ArrayList<>(List.of(LocalWebhookService.POSTGRES_PORT, LocalWebhookService.S3_PORT,
                LocalWebhookService.REVERSECONTACT_PORT));
        ports.add(defaultOf(applicationYaml, "PUBLIC_PORT"));
        ports.add(defaultOf(applicationYaml, "MANAGEMENT_SERVER_PORT"));

        String free = paragraphMentioning(firstSection, "free");
        for (int port : ports) {
            assertThat(free).as("README's paragraph on the ports that must be free").containsPattern("\\b" + port + "\\b");
        }
    }

    /**
     * The programs the bash examples for the embedded mode (those that call localhost) run: the first
     * word of each command, pipes and continued lines included.
     */
    private static Set<String> programsRunIn(String readme) {
        Set<String> programs = new TreeSet<>();
        Matcher block = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            if (!block.group(1).contains("localhost") && !block.group(1).contains("127.0.0.1")) {
                continue;
            }
            // Comments out, quoted arguments (JSON bodies, SQL) out, continued lines joined.
            String script = block.group(1).replaceAll("(?m)(^|\\s)#.*$", "")
                    .replaceAll("'[^']*'|\"[^\"]*\"", "''")
                    .replaceAll("\\\\\\n", " ");
            for (String command : script.split("\\n|\\||&&|;")) {
                for (String word : command.strip().split("\\s+")) {
                    if (word.matches("[A-Z0-9_]+=.*")) {
                        continue; // an environment variable for the command
                    }
                    if (!word.isEmpty() && !word.contains("/") && !EVERYWHERE.contains(word)) {
                        programs.add(word);
                    }
                    break;
                }
            }
        }
        return programs;
    }

    private static String firstSection(String readme) {
        int start = readme.indexOf("\n## ");
        return readme.substring(start, readme.indexOf("\n## ", start + 1));
    }

    private static String paragraphMentioning(String text, String word) {
        for (String paragraph : text.split("\\n\\s*\\n")) {
            if (!paragraph.startsWith("|") && !paragraph.startsWith("```") && paragraph.contains(" " + word)) {
                return paragraph;
            }
        }
        return "";
    }

    private static int defaultOf(String applicationYaml, String variable) {
        Matcher value = Pattern.compile("\\$\\{" + variable + ":(\\d+)}").matcher(applicationYaml);
        assertThat(value.find()).as("default of %s in application.yaml", variable).isTrue();
        return Integer.parseInt(value.group(1));
    }
}
