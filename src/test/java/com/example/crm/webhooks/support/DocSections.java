package com.example.crm.webhooks.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a part of the documentation (README.md, docs/*.md) whose examples a test runs or checks. */
public final class DocSections {

    private DocSections() {
    }

    /**
     * The lines of {@code file} from the line {@code heading} (e.g. {@code "## Profile change alerts"})
     * to the next heading of its level or above outside a code block (a shell comment is no heading),
     * or to the end.
     */
    public static String section(String file, String heading) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(file));
        int start = lines.indexOf(heading);
        assertThat(start).as("%s heading %s", file, heading).isNotNegative();
        int level = heading.indexOf(' ');
        StringBuilder section = new StringBuilder(heading).append('\n');
        boolean inCode = false;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode && line.matches("#{1," + level + "} .*")) {
                break;
            }
            section.append(line).append('\n');
        }
        return section.toString();
    }
}
