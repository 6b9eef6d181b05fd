package com.example.crm.webhooks.publicport;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Spring Boot's "APPLICATION FAILED TO START" report for {@link PublicPortUnavailableException}. */
public class PublicPortFailureAnalyzer extends AbstractFailureAnalyzer<PublicPortUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PublicPortUnavailableException cause) {
        return new FailureAnalysis(
                cause.getMessage() + ". The service stopped: without it no webhook could be received.",
                "Stop the process listening on port " + cause.port() + ", or set PUBLIC_PORT to a free port "
                        + "(it must differ from MANAGEMENT_SERVER_PORT).",
                cause);
    }
}
