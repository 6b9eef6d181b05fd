package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Another site cannot drive the console of a logged-in operator: Jolokia answers no GET (a link or
 * an image elsewhere), a POST needs the CSRF token and the console's own origin, and the session
 * and token cookies are SameSite=Strict, so a browser does not send them with another site's request.
 */
class ConsoleCrossSiteRequestTest extends WebhookServiceTest {

    private static final String ELSEWHERE = "https://attacker.example";

    @LocalServerPort
    private int managementPort;

    private ConsoleSession console;
    private HarmlessRoute route;
    private String mbean;

    @BeforeEach
    void logIn() throws Exception {
        console = ConsoleSession.logIn(managementPort);
        route = HarmlessRoute.add(camelContext, "test-console-cross-site");
        mbean = console.search(route.mbeanPattern());
    }

    @AfterEach
    void removeRoute() throws Exception {
        route.close();
    }

    @Test
    void jolokiaAnswersNoGetRequestNotEvenToTheLoggedInOperator() {
        String stop = "/exec/" + mbean.replace("\"", "%22") + "/stop()";
        for (String path : List.of("/actuator/jolokia" + stop, "/actuator/hawtio/jolokia" + stop,
                "/actuator/jolokia/version", "/actuator/jolokia/read/java.lang:type=Memory/HeapMemoryUsage",
                "/actuator/hawtio/jolokia/version", "/actuator/jolokia")) {
            HttpResponse<String> answer = console.get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(403);
            assertThat(answer.body()).as(path).doesNotContain("\"status\":200");
        }
        assertThat(console.send("HEAD", "/actuator/jolokia" + stop, Map.of()).statusCode()).isEqualTo(403);
        assertThat(route.status()).isEqualTo(ServiceStatus.Started);
    }

    @Test
    void aPostWithoutTheTokenOrFromAnotherOriginIsRefused() throws Exception {
        String stop = new ObjectMapper().createObjectNode().put("type", "exec").put("mbean", mbean)
                .put("operation", "stop()").toString();

        assertThat(console.post(ConsoleSession.JOLOKIA, stop, Map.of("Origin", console.origin())).statusCode())
                .as("no token").isEqualTo(403);
        assertThat(console.post(ConsoleSession.JOLOKIA, stop, Map.of("Origin", console.origin(), "X-XSRF-TOKEN", "guessed"))
                .statusCode()).as("a wrong token").isEqualTo(403);
        assertThat(console.post(ConsoleSession.JOLOKIA, stop, Map.of("Origin", ELSEWHERE, "X-XSRF-TOKEN", console.csrfToken()))
                .statusCode()).as("another origin").isEqualTo(403);
        assertThat(console.post(ConsoleSession.JOLOKIA, stop, Map.of("Origin", "null", "X-XSRF-TOKEN", console.csrfToken()))
                .statusCode()).as("an opaque origin (a sandboxed frame)").isEqualTo(403);
        HttpResponse<String> preflight = console.send("OPTIONS", ConsoleSession.JOLOKIA,
                Map.of("Origin", ELSEWHERE, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-xsrf-token"));
        assertThat(preflight.statusCode()).as("CORS preflight").isEqualTo(403);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(route.status()).isEqualTo(ServiceStatus.Started);

        // The console's own request, with its token and origin, stops the route.
        assertThat(console.post(ConsoleSession.JOLOKIA, stop, Map.of("Origin", console.origin(), "X-XSRF-TOKEN", console.csrfToken()))
                .body()).contains("\"status\":200");
        assertThat(route.status()).isEqualTo(ServiceStatus.Stopped);
    }

    @Test
    void theSessionAndCsrfCookiesAreSameSiteStrict() {
        List<String> cookies = console.loginCookies();

        assertThat(cookies).anySatisfy(cookie -> assertThat(cookie).startsWith("JSESSIONID="))
                .anySatisfy(cookie -> assertThat(cookie).startsWith("XSRF-TOKEN="));
        assertThat(cookies).allSatisfy(cookie -> assertThat(cookie).containsIgnoringCase("; SameSite=Strict"));
        assertThat(cookies).filteredOn(cookie -> cookie.startsWith("JSESSIONID="))
                .allSatisfy(cookie -> assertThat(cookie).containsIgnoringCase("; HttpOnly"));
        // Plain HTTP here: Secure would keep the browser from sending them back at all.
        assertThat(cookies).noneSatisfy(cookie -> assertThat(cookie).containsIgnoringCase("; Secure"));
    }
}
