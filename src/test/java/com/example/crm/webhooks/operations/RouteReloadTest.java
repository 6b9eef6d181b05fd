package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.example.crm.webhooks.WebhookServiceApplication;
import com.example.crm.webhooks.edge.WebhookCatalog;
import com.example.crm.webhooks.publicport.PublicHttpServer;
import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * Live route reload as the embedded mode has it (the {@code local} profile's reload settings), on a
 * copy of {@code routes/} in a temporary directory and a database of its own: an edit to one
 * multi-route file reloads that file's routes and leaves every other route running; a file that
 * cannot be loaded (invalid YAML, a route id another file has, an unknown bean) leaves every route
 * running as it was and shows in health until the file is repaired; a changed route configuration
 * re-creates the routes built with it.
 */
class RouteReloadTest {

    private static final String PROBE = "route-reload-probe";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Path routes;
    private static ConfigurableApplicationContext app;
    private static CamelContext camel;
    private static WebhookClient publicPort;
    /** The webhooks' routes, as the Camel context has them (the route group of the webhook template). */
    private static List<String> WEBHOOK_ROUTES;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void startOnACopyOfTheRoutes() throws IOException {
        routes = Files.createTempDirectory("route-reload-test");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path file : files) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        app = new SpringApplicationBuilder(WebhookServiceApplication.class)
                .profiles("local", "test")
                .run(ServiceInstance.arguments("route-reload", TestInfrastructure.newDatabase("route_reload"), Map.of(
                        "camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml",
                        "camel.main.routes-reload-directory", routes.toString())));
        camel = app.getBean(CamelContext.class);
        publicPort = new WebhookClient("http://127.0.0.1:" + app.getBean(PublicHttpServer.class).port());
        WEBHOOK_ROUTES = camel.getRoutes().stream().filter(route -> WebhookCatalog.GROUP.equals(route.getGroup()))
                .map(Route::getRouteId).sorted().toList();
        assertThat(WEBHOOK_ROUTES).isNotEmpty();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (routes != null) {
            FileSystemUtils.deleteRecursively(routes.toFile());
        }
    }

    @Test
    void aChangedFileReloadsAloneAndABrokenOneLeavesEveryRouteRunningUntilRepaired() throws Exception {
        Map<String, Route> atStart = routesById();
        assertThat(atStart.keySet()).containsAll(WEBHOOK_ROUTES);
        assertEveryRouteStarted(atStart.keySet());
        Path file = aFileWithAWebhookAndMoreRoutes(atStart);
        String original = Files.readString(file);
        Map<String, Route> elsewhere = routesNotFrom(file, atStart);
        String idFromAnotherFile = WEBHOOK_ROUTES.stream().filter(elsewhere::containsKey).findFirst().orElseThrow();

        // (1) A new route in the file: it runs, and no route of another file was restarted.
        Files.writeString(file, original + probe("first"));
        // The file's routes are replaced one by one, its templated routes last: done when all are back.
        await("the probe route").atMost(WAIT).until(() -> "first".equals(askProbe()) && allStarted(atStart.keySet()));
        Set<String> ids = routesById().keySet();
        assertThat(ids).containsAll(atStart.keySet()).contains(PROBE).hasSize(atStart.size() + 1);
        assertEveryRouteStarted(ids);
        assertUntouched(elsewhere);
        await().atMost(WAIT).until(() -> "UP".equals(reloadHealth().path("status").asText()));

        // (2) Three broken versions: each is reported, and every route runs as it did.
        Map<String, String> broken = new LinkedHashMap<>();
        broken.put("invalid YAML", original + probe("second") + "\n- route: {id: [unclosed\n");
        broken.put("duplicate route id " + idFromAnotherFile, original + probe("second") + route(idFromAnotherFile, "direct:reload-duplicate"));
        broken.put("noSuchReloadTestBean", original + probe("second").replace("steps:", "steps:\n        - bean:\n            ref: noSuchReloadTestBean\n            method: nothing"));
        for (Map.Entry<String, String> version : broken.entrySet()) {
            Files.writeString(file, version.getValue());
            await(version.getKey() + " reported").atMost(WAIT).untilAsserted(() -> {
                JsonNode health = reloadHealth();
                assertThat(health.path("status").asText()).isEqualTo("RELOAD_FAILED");
                assertThat(health.path("details").path("failing").toString()).contains(file.getFileName().toString());
                if (!version.getKey().equals("invalid YAML")) {
                    assertThat(health.path("details").path("failing").toString()).contains(version.getKey());
                }
            });
            assertThat(routesById().keySet()).as(version.getKey()).isEqualTo(ids);
            assertEveryRouteStarted(ids);
            assertUntouched(elsewhere);
            assertThat(askProbe()).as(version.getKey()).isEqualTo("first");
            assertThat(publicPort.get("/actuator/health").statusCode()).as(version.getKey() + ": " + operatorHealth()).isEqualTo(200);
            // Anyone may ask the public port: it tells them the status, never the file or the parse error.
            assertThat(publicPort.get("/actuator/health").body()).as(version.getKey()).isEqualTo("{\"status\":\"UP\"}");
            // Nor the management port without the login: the file and the reason are operators' details.
            String anonymousHealth = ManagementClient.anonymous(app.getEnvironment().getRequiredProperty("local.server.port", Integer.class))
                    .get("/actuator/health").body();
            assertThat(anonymousHealth).as(version.getKey()).contains("RELOAD_FAILED").doesNotContain(file.getFileName().toString());
            assertThat(publicPort.get("/readyz").statusCode()).as(version.getKey() + ": " + operatorHealth()).isEqualTo(200);
        }

        // (3) Repaired: the edit takes effect and health is fine again.
        Files.writeString(file, original + probe("third"));
        await("the repaired file").atMost(WAIT).until(() -> "third".equals(askProbe()) && allStarted(ids));
        await().atMost(WAIT).until(() -> "UP".equals(reloadHealth().path("status").asText()));
        assertThat(routesById().keySet()).isEqualTo(ids);
        assertEveryRouteStarted(ids);
        assertUntouched(elsewhere);
    }

    @Test
    void aChangedRouteConfigurationRebuildsTheRoutesBuiltWithIt() throws Exception {
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        Map<String, Route> atStart = routesById();
        // A route configuration (error handling, say) that a route file defines and routes are built with;
        // one that routes of other files use, if there is one.
        Map<String, Set<String>> builtWith = new HashMap<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            if (route.getAppliedRouteConfigurationIds() != null) {
                route.getAppliedRouteConfigurationIds().forEach(id -> builtWith.computeIfAbsent(id, x -> new TreeSet<>()).add(route.getRouteId()));
            }
        }
        Map<String, Path> definedIn = routeConfigurationsInRouteFiles();
        definedIn.keySet().retainAll(builtWith.keySet());
        assumeTrue(!definedIn.isEmpty(), "no route file defines a route configuration that routes are built with");
        String configurationId = definedIn.keySet().stream()
                .filter(id -> builtWith.get(id).stream().anyMatch(route -> !definedIn.get(id).equals(fileOf(atStart.get(route)))))
                .findFirst().orElse(definedIn.keySet().iterator().next());
        Path file = definedIn.get(configurationId);
        Set<String> builtWithIt = builtWith.get(configurationId);
        // The files reloaded: the configuration's, and those of the routes built with it; the other routes stay.
        Set<Path> reloaded = builtWithIt.stream().map(id -> fileOf(atStart.get(id))).collect(Collectors.toSet());
        reloaded.add(file);
        Map<String, Route> others = new HashMap<>(atStart);
        others.values().removeIf(route -> reloaded.contains(fileOf(route)));
        String original = Files.readString(file);

        Files.writeString(file, original + "\n# edited by RouteReloadTest\n");
        awaitRebuilt(builtWithIt, atStart);
        assertUntouched(others);
        assertThat(reloadHealth().path("status").asText()).isEqualTo("UP");

        Map<String, Route> edited = routesById();
        Files.writeString(file, original);
        awaitRebuilt(builtWithIt, edited);
        assertUntouched(others);
    }

    @Test
    void aChangedWebhookTemplateRebuildsEveryWebhookAndABrokenOneLeavesThemRunning() throws Exception {
        Path template = routes.resolve("webhook.camel.yaml");
        String original = Files.readString(template);
        Map<String, Route> atStart = routesById();
        Set<String> webhooks = Set.copyOf(WEBHOOK_ROUTES);

        Files.writeString(template, original + "\n# edited by RouteReloadTest\n");
        awaitRebuilt(webhooks, atStart);
        await().atMost(WAIT).until(() -> "UP".equals(reloadHealth().path("status").asText()));
        assertThat(publicPort.get("/readyz").statusCode()).isEqualTo(200);

        Map<String, Route> rebuilt = routesById();
        Files.writeString(template, original.replace("ref: webhookRequests", "ref: noSuchRequestsBean"));
        await("the broken template reported").atMost(WAIT).untilAsserted(() -> {
            JsonNode health = reloadHealth();
            assertThat(health.path("status").asText()).isEqualTo("RELOAD_FAILED");
            assertThat(health.path("details").path("failing").toString()).contains("webhook.camel.yaml").contains("noSuchRequestsBean");
        });
        assertThat(routesById().keySet()).isEqualTo(rebuilt.keySet());
        assertEveryRouteStarted(rebuilt.keySet());
        assertThat(publicPort.get("/readyz").statusCode()).isEqualTo(200);

        Files.writeString(template, original);
        await().atMost(WAIT).until(() -> "UP".equals(reloadHealth().path("status").asText()));
        assertEveryRouteStarted(routesById().keySet());
    }

    /**
     * Reloading the webhook template re-creates every webhook's routes, entry routes included, while
     * status callbacks keep arriving from four callers: none is answered 503 or 500 (a request that
     * arrives while its route is replaced waits for the new one), and each is stored once.
     */
    @Test
    void aWebhookTemplateReloadedUnderTrafficLosesNothing() throws Exception {
        Path template = routes.resolve("webhook.camel.yaml");
        String original = Files.readString(template);
        TwilioRequests twilio = new TwilioRequests(publicPort);
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<List<Integer>>> callers = new ArrayList<>();
        for (int caller = 0; caller < 4; caller++) {
            List<String> sids = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                sids.add("SMreloaded%d%03d".formatted(caller, i));
            }
            sent.addAll(sids);
            callers.add(CompletableFuture.supplyAsync(() -> sids.stream()
                    .map(sid -> twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback(sid, "delivered")).statusCode())
                    .toList()));
        }
        JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
        String stored = "select count(*) from message_status_events where twilio_sid like 'SMreloaded%'";
        await("the first callbacks stored").atMost(WAIT).until(() -> jdbc.queryForObject(stored, Integer.class) > 0);
        for (int reload = 1; reload <= 2; reload++) {
            Map<String, Route> before = routesById();
            Files.writeString(template, original + "\n# reloaded under traffic " + reload + "\n");
            awaitRebuilt(Set.copyOf(WEBHOOK_ROUTES), before);
        }

        for (CompletableFuture<List<Integer>> caller : callers) {
            assertThat(caller.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("every answer").containsOnly(204);
        }
        assertThat(callers).as("reloaded while they called").allMatch(caller -> caller.isDone());
        await("every callback stored once").atMost(WAIT).until(() -> jdbc.queryForObject(stored, Integer.class) == sent.size());
        assertThat(jdbc.queryForObject("select count(distinct twilio_sid) from message_status_events where twilio_sid like 'SMreloaded%'",
                Integer.class)).isEqualTo(sent.size());
        Map<String, Route> reloaded = routesById();
        Files.writeString(template, original);
        awaitRebuilt(Set.copyOf(WEBHOOK_ROUTES), reloaded);
    }

    /** Health with every detail, as the operator sees it: which part is down, and why. */
    private static String operatorHealth() {
        return ManagementClient.operator(app.getEnvironment().getRequiredProperty("local.server.port", Integer.class))
                .get("/actuator/health").body();
    }

    /** Waits until each of {@code ids} is a new route and every route runs again: the reload is done. */
    private static void awaitRebuilt(Set<String> ids, Map<String, Route> before) {
        await("routes rebuilt").atMost(WAIT).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(camel.getRoute(id)).as(id).isNotNull().isNotSameAs(before.get(id));
            }
            assertEveryRouteStarted(before.keySet());
        });
    }

    /**
     * The route configurations the route files define, by id, with their file (Camel does not keep
     * where a route configuration came from): each {@code - routeConfiguration:} item and its {@code id}.
     */
    private static Map<String, Path> routeConfigurationsInRouteFiles() throws IOException {
        Map<String, Path> configurations = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(routes, "*.camel.yaml")) {
            for (Path file : files) {
                boolean inConfiguration = false;
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("- ")) {
                        inConfiguration = line.strip().equals("- routeConfiguration:");
                    } else if (inConfiguration && line.strip().startsWith("id: ")) {
                        configurations.put(line.strip().substring("id: ".length()).strip(), file.toAbsolutePath().normalize());
                        inConfiguration = false;
                    }
                }
            }
        }
        return configurations;
    }

    /** A route answering {@code answer}, appended to a file of routes. */
    private static String probe(String answer) {
        return """

                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                        - setBody:
                            constant: %s
                """.formatted(PROBE, PROBE, answer);
    }

    private static String route(String id, String from) {
        return """

                - route:
                    id: %s
                    from:
                      uri: %s
                      steps:
                        - log: reload test
                """.formatted(id, from);
    }

    private static String askProbe() {
        if (camel.getRoute(PROBE) == null) {
            return null;
        }
        try (ProducerTemplate producer = camel.createProducerTemplate()) {
            return producer.requestBody("direct:" + PROBE, "", String.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reload's health component, as the operator reads it on the management port. */
    private JsonNode reloadHealth() throws IOException {
        return json.readTree(operatorHealth()).path("components").path("routesReload");
    }

    private static Map<String, Route> routesById() {
        return camel.getRoutes().stream().collect(Collectors.toMap(Route::getRouteId, route -> route));
    }

    /** The file of the first webhook route that shares its file with another route. */
    private static Path aFileWithAWebhookAndMoreRoutes(Map<String, Route> routes) {
        Map<Path, Long> routesPerFile = routes.values().stream()
                .map(RouteReloadTest::fileOf).filter(Objects::nonNull)
                .collect(Collectors.groupingBy(file -> file, Collectors.counting()));
        return WEBHOOK_ROUTES.stream().map(routes::get).map(RouteReloadTest::fileOf)
                .filter(file -> routesPerFile.get(file) > 1)
                .findFirst().orElseThrow(() -> new AssertionError("no webhook route shares its file: " + routesPerFile));
    }

    private static Map<String, Route> routesNotFrom(Path file, Map<String, Route> routes) {
        Map<String, Route> others = new HashMap<>(routes);
        others.values().removeIf(route -> file.equals(fileOf(route)));
        assertThat(others).isNotEmpty();
        return others;
    }

    private static Path fileOf(Route route) {
        return route.getSourceResource() == null ? null : fileOf(route.getSourceResource().getLocation());
    }

    private static Path fileOf(String location) {
        return location == null ? null : Path.of(location.replaceFirst("^file:", "")).toAbsolutePath().normalize();
    }

    private static boolean allStarted(Set<String> ids) {
        return ids.stream().allMatch(id -> camel.getRouteController().getRouteStatus(id) == ServiceStatus.Started);
    }

    private static void assertEveryRouteStarted(Set<String> ids) {
        for (String id : ids) {
            assertThat(camel.getRouteController().getRouteStatus(id)).as(id).isEqualTo(ServiceStatus.Started);
        }
    }

    /** The same route objects, running since before: neither removed nor restarted. */
    private static void assertUntouched(Map<String, Route> routes) {
        for (Map.Entry<String, Route> route : routes.entrySet()) {
            assertThat(camel.getRoute(route.getKey())).as(route.getKey()).isSameAs(route.getValue());
            assertThat(camel.getRouteController().getRouteStatus(route.getKey())).as(route.getKey()).isEqualTo(ServiceStatus.Started);
        }
    }
}
