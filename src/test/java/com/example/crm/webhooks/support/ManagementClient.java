package com.example.crm.webhooks.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Calls the management port as an operator's script would: HTTP Basic, or anonymously. */
public final class ManagementClient {

    /** The management user of application-test.yaml. */
    public static final String USERNAME = "test-operator";
    public static final String PASSWORD = "test-console-password";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String authorization;

    private ManagementClient(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    public static ManagementClient operator(int port) {
        return as(port, USERNAME, PASSWORD);
    }

    public static ManagementClient as(int port, String username, String password) {
        String credentials = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new ManagementClient("http://127.0.0.1:" + port, "Basic " + credentials);
    }

    public static ManagementClient anonymous(int port) {
        return new ManagementClient("http://127.0.0.1:" + port, null);
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    public HttpResponse<String> postJson(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return WebhookClient.send(client, request.build());
    }
}
