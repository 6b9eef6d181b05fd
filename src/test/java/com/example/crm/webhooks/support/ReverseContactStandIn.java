package com.example.crm.webhooks.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * A local stand-in for the Reverse Contact API for the embedded mode: a few sample person and
 * company profiles ({@code src/test/resources/reversecontact-stand-in/}) and the images they point
 * at, served by WireMock. Any other LinkedIn URL gets Reverse Contact's 404.
 */
public final class ReverseContactStandIn {

    private final WireMockServer server;

    private ReverseContactStandIn(WireMockServer server) {
        this.server = server;
    }

    public static ReverseContactStandIn start(int port) {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options()
                .port(port)
                .bindAddress("127.0.0.1")
                .usingFilesUnderClasspath("reversecontact-stand-in"));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return new ReverseContactStandIn(server);
    }

    public String baseUrl() {
        return server.baseUrl();
    }
}
