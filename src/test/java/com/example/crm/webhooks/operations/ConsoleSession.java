package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * An operator in the console as a browser holds it: logged in through the login form, keeping the
 * session and XSRF-TOKEN cookies, and calling Jolokia as Hawtio does (POST, the token from the
 * cookie in the X-XSRF-TOKEN header, the console's own Origin).
 */
final class ConsoleSession {

    static final String JOLOKIA = "/actuator/jolokia";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    private final CookieManager cookies = new CookieManager();
    private final HttpClient client;
    private final String origin;
    /** Every Set-Cookie header of the login page, the form's POST and the console's page. */
    private final List<String> loginCookies = new ArrayList<>();

    private ConsoleSession(String origin, SSLContext tls) {
        this.origin = origin;
        this.client = HttpClient.newBuilder().cookieHandler(cookies).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Logs in to the management port on {@code port}, over plain HTTP. */
    static ConsoleSession logIn(int port) {
        try {
            return logIn("http://127.0.0.1:" + port, SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens the login page at {@code origin} (scheme, host and port), submits the form with the test
     * operator's credentials, and opens the console; {@code tls} decides which servers are trusted.
     */
    static ConsoleSession logIn(String origin, SSLContext tls) {
        ConsoleSession session = new ConsoleSession(origin, tls);
        HttpResponse<String> page = session.send(session.request("/login").GET());
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher field = CSRF_FIELD.matcher(page.body());
        assertThat(field.find()).as("the login form's CSRF field").isTrue();
        String form = "username=" + encode(ManagementClient.USERNAME) + "&password=" + encode(ManagementClient.PASSWORD)
                + "&_csrf=" + encode(field.group(1));
        HttpResponse<String> login = session.send(session.request("/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", session.origin)
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        assertThat(login.statusCode()).as("the login's answer").isEqualTo(302);
        assertThat(login.headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(location).doesNotContain("error"));
        // Then the console's page, as the browser goes on to: it gets the XSRF-TOKEN cookie the login renewed.
        HttpResponse<String> console = session.send(session.request("/actuator/hawtio/").GET());
        assertThat(console.statusCode()).isEqualTo(200);
        for (HttpResponse<String> response : List.of(page, login, console)) {
            session.loginCookies.addAll(response.headers().allValues("Set-Cookie"));
        }
        return session;
    }

    List<String> loginCookies() {
        return loginCookies;
    }

    String origin() {
        return origin;
    }

    /** The CSRF token the console reads from its XSRF-TOKEN cookie. */
    String csrfToken() {
        return cookies.getCookieStore().getCookies().stream()
                .filter(cookie -> cookie.getName().equals("XSRF-TOKEN"))
                .map(HttpCookie::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no XSRF-TOKEN cookie"));
    }

    /** A Jolokia exec as the console sends it; answers Jolokia's JSON reply (its "status" says whether it ran). */
    JsonNode exec(String mbean, String operation, Object... arguments) {
        ObjectNode request = JSON.createObjectNode().put("type", "exec").put("mbean", mbean).put("operation", operation);
        request.set("arguments", JSON.valueToTree(List.of(arguments)));
        return jolokia(request);
    }

    JsonNode read(String mbean, String attribute) {
        return jolokia(JSON.createObjectNode().put("type", "read").put("mbean", mbean).put("attribute", attribute));
    }

    JsonNode write(String mbean, String attribute, Object value) {
        ObjectNode request = JSON.createObjectNode().put("type", "write").put("mbean", mbean).put("attribute", attribute);
        request.set("value", JSON.valueToTree(value));
        return jolokia(request);
    }

    /** The one MBean name {@code pattern} finds. */
    String search(String pattern) {
        JsonNode found = jolokia(JSON.createObjectNode().put("type", "search").put("mbean", pattern)).get("value");
        assertThat(found).as(pattern).hasSize(1);
        return found.get(0).asText();
    }

    JsonNode jolokia(JsonNode request) {
        HttpResponse<String> response = post(JOLOKIA, request.toString(), Map.of("X-XSRF-TOKEN", csrfToken(), "Origin", origin));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    /** A JSON POST with the session cookie and exactly {@code headers} (no CSRF token unless given). */
    HttpResponse<String> post(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        return send(request);
    }

    HttpResponse<String> send(String method, String path, Map<String, String> headers) {
        HttpRequest.Builder request = request(path).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return send(request);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(origin + path)).timeout(Duration.ofSeconds(30));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return WebhookClient.send(client, request.build());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
