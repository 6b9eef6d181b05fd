package com.example.crm.webhooks.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** Posts to the running service over real HTTP, as Twilio and Reverse Contact do. */
public final class WebhookClient {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public WebhookClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    public HttpResponse<String> postJson(String pathAndQuery, String json) {
        return post(pathAndQuery, "application/json", json, Map.of());
    }

    /** A form post; {@code headers} carries e.g. X-Twilio-Signature. */
    public HttpResponse<String> postForm(String pathAndQuery, Map<String, String> form, Map<String, String> headers) {
        return post(pathAndQuery, "application/x-www-form-urlencoded", formEncode(form), headers);
    }

    public HttpResponse<String> post(String pathAndQuery, String contentType, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        return send(request.build());
    }

    /**
     * Sends exactly the bytes given over a plain socket, for requests the JDK client refuses to
     * build (a malformed query string, say). Returns the status code and the raw response text.
     */
    public RawResponse postRaw(String pathAndQuery, String contentType, byte[] body, Map<String, String> headers) {
        StringBuilder head = new StringBuilder("POST ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host()).append("\r\n")
                .append("Connection: close\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        String response = sendRaw(head.toString().getBytes(StandardCharsets.ISO_8859_1), body);
        return new RawResponse(Integer.parseInt(response.substring(9, 12)), response);
    }

    /**
     * Writes the bytes given, in order, to one plain connection and returns everything the service
     * answers until it closes the connection (the last request should ask for that).
     */
    public String sendRaw(byte[]... parts) {
        URI base = URI.create(baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            // One write: a service that answers at the headers and closes then finds no unread bytes to reset on.
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            for (byte[] part : parts) {
                request.writeBytes(part);
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toByteArray());
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** host:port of the service, for a Host header. */
    public String host() {
        URI base = URI.create(baseUrl);
        return base.getHost() + ":" + base.getPort();
    }

    public record RawResponse(int statusCode, String text) {
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    public static String formEncode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private HttpResponse<String> send(HttpRequest request) {
        return send(client, request);
    }

    /** The answer as text; the JDK client's checked exceptions as unchecked ones, the interrupt kept. */
    public static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
