package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * src/main/resources/openapi.yaml against the spec and the running routes: the same paths and
 * methods, and for each documented status a source in the service.
 */
class OpenApiContractTest extends WebhookServiceTest {

    /** The spec's four webhooks. */
    private static final Set<String> SPEC_PATHS = Set.of("/api/webhooks/reversecontact", "/api/webhooks/reversecontact/resolve",
            "/api/webhooks/twilio/message-status", "/api/webhooks/twilio/inbound");
    /** What a webhook can answer: the routes' own successes, WebhookRejection's statuses, the shared error handling's 500 and 503. */
    private static final Set<String> PRODUCIBLE = Set.of("200", "204", "400", "403", "404", "408", "413", "415", "500", "503");

    private final Map<String, Object> openApi = load();

    @Test
    void theFileDescribesTheSpecsFourWebhooksWithEveryAnswer() {
        assertThat(paths().keySet()).containsExactlyInAnyOrderElementsOf(SPEC_PATHS);
        paths().forEach((path, operations) -> {
            assertThat(operations.keySet()).as(path).containsExactly("post");
            Map<String, Object> responses = responses(path);
            assertThat(responses.keySet()).as(path).isSubsetOf(PRODUCIBLE).contains("400", "413", "415", "500", "503");
            assertThat(responses.keySet().stream().filter(code -> code.startsWith("2"))).as(path).hasSize(1);
        });
        assertThat(responses("/api/webhooks/twilio/message-status")).containsKeys("204", "403");
        assertThat(responses("/api/webhooks/twilio/inbound")).containsKeys("200", "403");
        assertThat(responses("/api/webhooks/reversecontact")).containsKeys("200", "404");
        assertThat(responses("/api/webhooks/reversecontact/resolve")).containsKeys("200", "404");
        assertThat(references(openApi)).allSatisfy(ref -> assertThat(resolve(ref)).as(ref).isNotNull());
    }

    @Test
    void everyDocumentedOperationIsARunningRouteAndEveryWebhookRouteIsDocumented() {
        Map<String, Set<String>> documented = new TreeMap<>();
        paths().forEach((path, operations) -> documented.put(path, upperCase(operations.keySet())));

        Map<String, Set<String>> running = new TreeMap<>();
        for (Route route : camelContext.getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint endpoint
                    && !isTestRoute("/" + endpoint.getPath().replaceFirst("^/+", ""))) {
                String methods = endpoint.getHttpMethodRestrict() == null ? "ANY" : endpoint.getHttpMethodRestrict();
                running.computeIfAbsent("/" + endpoint.getPath().replaceFirst("^/+", ""), p -> new TreeSet<>())
                        .addAll(upperCase(Arrays.asList(methods.split(","))));
            }
        }

        assertThat(running).isEqualTo(documented);
    }

    @Test
    void aWrongContentTypeAndAnOversizedBodyGetTheDocumented415And413() {
        for (String path : SPEC_PATHS) {
            String contentType = requestContentType(path);
            HttpResponse<String> wrongType = http.post(path + "?type=person&id=x", "text/plain", "hello", Map.of());
            assertThat(wrongType.statusCode()).as(path).isEqualTo(415);
            assertThat(wrongType.body()).as(path).startsWith("{\"error\":");

            String huge = contentType.startsWith("application/json")
                    ? "{\"a\":\"" + "x".repeat(1_048_577) + "\"}" : "Body=" + "x".repeat(1_048_577);
            assertThat(http.post(path + "?type=person&id=x", contentType, huge, Map.of()).statusCode()).as(path).isEqualTo(413);
        }
    }

    @Test
    void everyDocumentedStatusHasASourceInItsRoute() throws IOException {
        for (String path : SPEC_PATHS) {
            String route = routeFileServing(path);
            Set<String> codes = responses(path).keySet();
            // 4xx from WebhookRejection, 500 and 503 from the shared error handling the route opts into.
            assertThat(route).as(path).contains("routeConfigurationId: webhook-errors");
            if (codes.contains("415") || codes.contains("413") || codes.contains("408")) {
                // ...which read the body themselves, as it came, as the webhook declares: no body handler may read it first.
                assertThat(route).as(path).containsPattern("\\{name: body, value: (json|form)\\}").contains("useBodyHandler: false");
            }
            if (codes.contains("204")) {
                assertThat(route).as(path).contains("204");
            }
            if (responses(path).get("200") instanceof Map<?, ?> ok && ok.get("content") instanceof Map<?, ?> content
                    && content.containsKey("text/xml")) {
                assertThat(route).as(path).contains("text/xml").contains("<Response></Response>");
            }
        }
    }

    /** Every {@code $ref} in the document. */
    private static List<String> references(Object node) {
        if (node instanceof Map<?, ?> map) {
            return map.entrySet().stream()
                    .flatMap(e -> "$ref".equals(e.getKey()) ? Stream.of(String.valueOf(e.getValue())) : references(e.getValue()).stream())
                    .toList();
        }
        if (node instanceof List<?> list) {
            return list.stream().flatMap(item -> references(item).stream()).toList();
        }
        return List.of();
    }

    private Object resolve(String ref) {
        Object node = openApi;
        for (String part : ref.substring(2).split("/")) {
            node = node instanceof Map<?, ?> map ? map.get(part) : null;
        }
        return node;
    }

    private static boolean isTestRoute(String path) {
        return path.startsWith("/api/webhooks/test/") || path.startsWith("/test/");
    }

    /**
     * The text of the route serving {@code path}: its route file, and for a webhook made from the
     * route template (its templatedRoute names the path) the template's file too, which makes its route.
     */
    private static String routeFileServing(String path) throws IOException {
        Pattern from = Pattern.compile("platform-http:/*" + Pattern.quote(path.substring(1)) + "(?![\\w/-])"
                + "|\\{name: path, value: " + Pattern.quote(path) + "\\}");
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            List<String> serving = files.filter(f -> f.toString().endsWith(".camel.yaml"))
                    .map(OpenApiContractTest::read)
                    .filter(text -> from.matcher(text).find())
                    .toList();
            assertThat(serving).as("route files serving " + path).hasSize(1);
            String route = serving.get(0);
            return route.contains("routeTemplateRef: webhook") ? route + read(Path.of("routes", "webhook.camel.yaml")) : route;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> upperCase(java.util.Collection<String> methods) {
        Set<String> result = new TreeSet<>();
        methods.forEach(m -> result.add(m.trim().toUpperCase()));
        return result;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Object>> paths() {
        return (Map<String, Map<String, Object>>) openApi.get("paths");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> responses(String path) {
        Map<String, Object> post = (Map<String, Object>) paths().get(path).get("post");
        Map<String, Object> responses = new TreeMap<>();
        ((Map<Object, Object>) post.get("responses")).forEach((code, answer) -> responses.put(String.valueOf(code), answer));
        return responses;
    }

    @SuppressWarnings("unchecked")
    private String requestContentType(String path) {
        Map<String, Object> post = (Map<String, Object>) paths().get(path).get("post");
        Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) post.get("requestBody")).get("content");
        return content.keySet().iterator().next();
    }

    private static Map<String, Object> load() {
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the classpath").isNotNull();
            return new Yaml().load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
