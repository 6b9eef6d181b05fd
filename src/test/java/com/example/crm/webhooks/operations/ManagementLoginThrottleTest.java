package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.edge.WebhookMetricsTest;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.RawConnection;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Password guessing on the management port is slowed, through real HTTP on a service of its own
 * (3 free failures; lockouts from 3 s, capped at 12 s per address and 30 s per user, long enough
 * that a busy machine's slow requests still fall inside them): an address that keeps failing is
 * locked out for 3 s, then 6 s, then 12 s, even with the right password; a
 * guessed user never keeps out the operator at an address that has not failed; the login form is
 * throttled as Basic is; and both are counted.
 */
class ManagementLoginThrottleTest {

    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
    private static ServiceInstance service;

    @BeforeAll
    static void start() {
        service = ServiceInstance.start("login-throttle", TestInfrastructure.newDatabase("login_throttle"), Map.of(
                "operations.login.free-failures", 3,
                "operations.login.first-lockout", "3s",
                "operations.login.max-address-lockout", "12s",
                "operations.login.max-user-lockout", "30s"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void anAddressThatKeepsFailingWaitsLongerEachTimeEvenWithTheRightPassword() {
        // A new user name each time: only the address's failures count here.
        String from = "127.0.0.11";
        for (int i = 0; i < 3; i++) {
            assertThat(status(basic(from, "nobody-" + i, "guess"))).as("free failure %d", i + 1).isEqualTo(401);
        }
        long lastFailure = System.nanoTime();
        assertThat(status(basic(from, "nobody-3", "guess"))).isEqualTo(401);
        String locked = basic(from, ManagementClient.USERNAME, ManagementClient.PASSWORD);
        assertThat(status(locked)).isEqualTo(429);
        assertThat(Integer.parseInt(header(locked, "Retry-After"))).isBetween(1, 3);
        assertThat(locked).containsPattern("\\{\"error\":\"too many failed logins: try again in [123] s\"}");

        // The right password gets in once the lockout is over, and not before.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(
                () -> status(basic(from, ManagementClient.USERNAME, ManagementClient.PASSWORD)) == 200);
        assertThat(Duration.ofNanos(System.nanoTime() - lastFailure)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));

        // That success cleared the address; failing on, each lockout doubles up to the cap: the next
        // attempt is let through no sooner than the lockout its predecessor started.
        for (int i = 0; i < 3; i++) {
            assertThat(status(basic(from, "again-" + i, "guess"))).isEqualTo(401);
        }
        lastFailure = System.nanoTime();
        assertThat(status(basic(from, "again-3", "guess"))).isEqualTo(401);
        int user = 4;
        for (int lockout : new int[] {3, 6, 12}) {
            String refused = basic(from, ManagementClient.USERNAME, ManagementClient.PASSWORD);
            assertThat(status(refused)).isEqualTo(429);
            assertThat(Integer.parseInt(header(refused, "Retry-After"))).isBetween(1, lockout);
            String name = "again-" + user++;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> status(basic(from, name, "guess")) == 401);
            long failedAt = System.nanoTime();
            assertThat(Duration.ofNanos(failedAt - lastFailure)).isGreaterThanOrEqualTo(Duration.ofSeconds(lockout));
            lastFailure = failedAt;
        }
    }

    @Test
    void guessesAtTheOperatorsNameNeverKeepTheOperatorOutAndHoldOtherGuessersBack() {
        for (int i = 0; i < 5; i++) {
            basic("127.0.0.21", ManagementClient.USERNAME, "guess-" + i);
        }
        // The operator, at an address that has not failed, gets in at once.
        assertThat(status(basic("127.0.0.22", ManagementClient.USERNAME, ManagementClient.PASSWORD))).isEqualTo(200);
        // That success cleared the user. Guessers spread over many addresses lock it again...
        for (int i = 0; i < 5; i++) {
            assertThat(status(basic("127.0.0.3" + i, ManagementClient.USERNAME, "guess-again-" + i))).isEqualTo(401);
        }
        // ...but once it has failed at a locked user, it waits with every other guesser.
        assertThat(status(basic("127.0.0.23", ManagementClient.USERNAME, "another-guess"))).isEqualTo(401);
        assertThat(status(basic("127.0.0.23", ManagementClient.USERNAME, "yet-another-guess"))).isEqualTo(429);
        // The user's lockout is short (30 s at most here), then the operator's right password works from there too.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(
                () -> status(basic("127.0.0.23", ManagementClient.USERNAME, ManagementClient.PASSWORD)) == 200);
    }

    @Test
    void theLoginFormIsThrottledAsBasicIsAndBothAreCounted() throws Exception {
        double failuresBefore = metric("management_login_failures_total");
        double throttledBefore = metric("management_login_throttled_total");
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> refused = submitLoginForm(browser, "form-user", "wrong");
            assertThat(refused.statusCode()).isEqualTo(302);
            assertThat(refused.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("error"));
        }
        HttpResponse<String> locked = submitLoginForm(browser, "form-user", "wrong");
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 3));

        assertThat(metric("management_login_failures_total") - failuresBefore).isEqualTo(4);
        assertThat(metric("management_login_throttled_total") - throttledBefore).isEqualTo(1);
    }

    private static HttpResponse<String> submitLoginForm(HttpClient browser, String username, String password) throws Exception {
        String origin = "http://127.0.0.1:" + service.managementPort();
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(origin + "/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher field = CSRF_FIELD.matcher(page.body());
        assertThat(field.find()).as("the login form's CSRF field").isTrue();
        String form = "username=" + encode(username) + "&password=" + encode(password) + "&_csrf=" + encode(field.group(1));
        return browser.send(HttpRequest.newBuilder(URI.create(origin + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET /actuator/info with Basic credentials, from {@code address}: the whole response. */
    private static String basic(String address, String user, String password) {
        return request(address, "/actuator/info", user, password);
    }

    private static String request(String address, String path, String user, String password) {
        String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        try (RawConnection connection = RawConnection.open("http://127.0.0.1:" + service.managementPort(), address)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " + credentials
                    + "\r\nConnection: close\r\n\r\n").readUntilClosed(Duration.ofSeconds(10));
        }
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    private static String header(String response, String name) {
        Matcher header = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(\\S+)").matcher(response);
        return header.find() ? header.group(1) : null;
    }

    /** Scraped as the operator, from an address no test fails at. */
    private static double metric(String name) {
        String scrape = request("127.0.0.99", "/actuator/prometheus", ManagementClient.USERNAME, ManagementClient.PASSWORD);
        assertThat(status(scrape)).isEqualTo(200);
        return WebhookMetricsTest.value(scrape, name, "");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
