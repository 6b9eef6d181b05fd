package com.example.crm.webhooks.config;

import java.util.List;

/**
 * Start-up stopped: these environment variables are missing or invalid (one line each). Subclasses
 * stop it for other things the service cannot run with, each saying what to do.
 */
public class InvalidSettingsException extends RuntimeException {

    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
        this("Missing or invalid environment variables:", problems);
    }

    protected InvalidSettingsException(String heading, List<String> problems) {
        super(heading + "\n    " + String.join("\n    ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    /** What to do about it, for the start-up failure report. */
    public String action() {
        return "Set the environment variables above (README.md, Configuration) and start the service again.";
    }
}
