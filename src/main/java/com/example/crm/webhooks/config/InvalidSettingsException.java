package com.example.crm.webhooks.config;

import java.util.List;

/** Start-up stopped: these environment variables are missing or invalid (one line each). */
public class InvalidSettingsException extends RuntimeException {

    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
        super("Missing or invalid environment variables:\n    " + String.join("\n    ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
