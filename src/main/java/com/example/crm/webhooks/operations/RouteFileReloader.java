package com.example.crm.webhooks.operations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.RouteController;
import org.apache.camel.support.EventHelper;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live reload of the YAML route files (the embedded mode: {@code camel.main.routes-reload-*}), one
 * file at a time and all or nothing; it takes the place of Camel's {@link RouteWatcherReloadStrategy}
 * ({@link RoutesReloadHealthIndicator} swaps them). Camel's, in its default mode, removes every route
 * and then loads each file once per route it held (CAMEL-24866): a file with two routes fails on a
 * "duplicate route id" and leaves most routes gone. In its other mode it replaces a file's routes by
 * id, but a file that fails half-way (an unknown bean) leaves its routes gone, and a route id another
 * file owns silently replaces that file's route.
 *
 * <p>For a changed file this one parses it, refuses a route without an id or with an id another file
 * has or the file repeats, then replaces the file's routes (its templatedRoutes too, which Camel's
 * update leaves out), removes those no longer in it, and re-creates the routes that use a route
 * configuration or a route template it defines (they are built with it). A reload after which the
 * webhook conventions no longer hold (edge.WebhookCatalog) fails too. If any of that fails, the
 * routes, route configurations and templates are put back as they were (and started, or stopped or
 * suspended, as they were), the failure is logged once (ERROR, the file and the reason),
 * and it is kept for health until that file reloads. Routes of other files are never touched. A
 * deleted file changes nothing (its routes run until a restart), nor does an empty one (an editor
 * halfway through a save).
 */
public class RouteFileReloader extends RouteWatcherReloadStrategy {

    private static final Logger log = LoggerFactory.getLogger(RouteFileReloader.class);

    /** A file whose last reload failed: as the watcher named it, why, and when. */
    public record Failure(String file, String reason, Instant at, Exception error) {
    }

    private final Map<Path, Failure> failures = new ConcurrentHashMap<>();
    /** Content last read per file: an editor's save often arrives as two events, and the same content is not reloaded twice. */
    private final Map<Path, String> lastRead = new ConcurrentHashMap<>();
    /** What is wrong with the routes as they run now (the webhook conventions): a reload that leaves any is undone. */
    private final Supplier<List<String>> conventionProblems;

    public RouteFileReloader(String directory, boolean recursive, Supplier<List<String>> conventionProblems) {
        super(directory, recursive);
        this.conventionProblems = conventionProblems;
        setRemoveAllRoutes(false);
    }

    /** The files whose last reload failed, each with its reason; empty when every reload succeeded. */
    public List<Failure> failures() {
        return List.copyOf(failures.values());
    }

    /** Called by the file watcher (one thread) for each created or modified file matching the pattern. */
    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources != null) {
            resources.forEach(this::reload);
        }
    }

    /** The watcher counts every change it passed on without an exception as a success; {@link #reload} counts instead. */
    @Override
    protected void incSucceededCounter() {
    }

    @Override
    public Exception getLastError() {
        return failures.values().stream().max((a, b) -> a.at().compareTo(b.at())).map(Failure::error).orElse(null);
    }

    private void reload(Resource resource) {
        String name = resource.getLocation().replaceFirst("^file:", "");
        Path file = fileOf(resource);
        if (file == null || !Files.isRegularFile(file)) {
            if (file != null) {
                failures.remove(file);
                lastRead.remove(file);
            }
            log.info("{} is gone: its routes keep running until the service restarts", name);
            return;
        }
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            fail(file, name, e);
            return;
        }
        if (content.equals(lastRead.put(file, content))) {
            return;
        }
        if (content.isBlank()) {
            log.info("{} is empty: its routes keep running as they were", name);
            return;
        }
        try {
            List<String> reloaded = replaceRoutes(file, resource);
            failures.remove(file);
            super.incSucceededCounter();
            log.info("Reloaded {}: {}", name, reloaded.isEmpty() ? "no routes" : String.join(", ", reloaded));
        } catch (Exception e) {
            fail(file, name, e);
        }
    }

    private void fail(Path file, String name, Exception e) {
        String reason = reasonOf(e);
        failures.put(file, new Failure(name, reason, Instant.now(), e));
        setLastError(e); // for the strategy's JMX operation lastErrorMessage (the console)
        incFailedCounter();
        log.error("Routes not reloaded from {}: {}. Every route runs as it did before.", name, reason);
        log.debug("Why {} could not be reloaded", name, e);
    }

    /**
     * Replaces the routes of {@code file}, and of the files whose routes are built with a route
     * configuration it defines, with what they hold now, all or nothing. Returns the ids of the
     * routes now running from them.
     */
    private List<String> replaceRoutes(Path file, Resource changed) throws Exception {
        CamelContext camel = getCamelContext();
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        Set<Path> files = new LinkedHashSet<>(List.of(file));
        List<RoutesBuilder> builders = new ArrayList<>(PluginHelper.getRoutesLoader(camel).findRoutesBuilders(List.of(changed)));
        // As they are now, to put back if anything below fails.
        List<RouteConfigurationDefinition> configurations = List.copyOf(model.getRouteConfigurationDefinitions());
        List<RouteTemplateDefinition> templates = List.copyOf(model.getRouteTemplateDefinitions());
        Map<String, ServiceStatus> statuses = new LinkedHashMap<>();
        List<RouteDefinition> definitions = new ArrayList<>();
        List<String> ids = List.of();
        try {
            Set<String> configurationIds = updateRouteConfigurations(camel, builders);
            // The files of the routes built with a route configuration or made from a template this file defines.
            Set<Path> builtWith = new LinkedHashSet<>(filesBuiltWith(model, configurationIds));
            if (definesTemplates(camel, builders)) {
                builtWith.addAll(filesOfTemplatedRoutes(model));
            }
            for (Path other : builtWith) {
                if (files.add(other)) {
                    Resource resource = PluginHelper.getResourceLoader(camel).resolveResource("file:" + other);
                    List<RoutesBuilder> more = List.copyOf(PluginHelper.getRoutesLoader(camel).findRoutesBuilders(List.of(resource)));
                    updateRouteConfigurations(camel, more);
                    builders.addAll(more);
                }
            }
            ids = checkRouteIds(camel, files, builders);

            List<Route> before = camel.getRoutes().stream().filter(route -> files.contains(fileOf(route.getSourceResource()))).toList();
            for (Route route : before) {
                statuses.put(route.getRouteId(), camel.getRouteController().getRouteStatus(route.getRouteId()));
                RouteDefinition definition = model.getRouteDefinition(route.getRouteId());
                if (definition != null) {
                    definitions.add(definition);
                }
            }
            // Camel keeps a template it has over one of the same id: the file's new ones replace them.
            for (String template : templateIds(camel, builders)) {
                model.removeRouteTemplateDefinitions(template);
            }
            for (RoutesBuilder builder : builders) {
                builder.updateRoutesToCamelContext(camel);
            }
            // Camel's update leaves the templated routes out; after every template is in place.
            for (RoutesBuilder builder : builders) {
                if (builder instanceof RouteBuilder routeBuilder) {
                    routeBuilder.addTemplatedRoutesToCamelContext(camel);
                }
            }
            for (Route route : before) {
                if (!ids.contains(route.getRouteId())) {
                    remove(camel.getRouteController(), camel, route.getRouteId());
                    log.info("Removed route {}: its file no longer has it", route.getRouteId());
                }
            }
            List<String> problems = conventionProblems.get();
            if (!problems.isEmpty()) {
                throw new InvalidRouteFileException(String.join("; ", problems));
            }
        } catch (Exception e) {
            putBack(camel, model, files, ids, statuses, definitions, configurations, templates);
            throw e;
        }
        int index = 1;
        for (String id : ids) {
            EventHelper.notifyRouteReloaded(camel, camel.getRoute(id), index++, ids.size());
        }
        return ids;
    }

    /** Puts the route configurations of {@code builders} in the model; returns their ids. */
    private static Set<String> updateRouteConfigurations(CamelContext camel, List<RoutesBuilder> builders) throws Exception {
        Set<String> ids = new HashSet<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteConfigurationBuilder configurationBuilder) {
                configurationBuilder.updateRouteConfigurationsToCamelContext(camel);
                for (RouteConfigurationDefinition configuration : configurationBuilder.getRouteConfigurationCollection().getRouteConfigurations()) {
                    ids.add(configuration.getId() == null ? "<default>" : configuration.getId());
                }
            } else if (builder instanceof RouteConfigurationsBuilder configurationsBuilder) {
                configurationsBuilder.updateRouteConfigurationsToCamelContext(camel);
            }
        }
        return ids;
    }

    /** The files of the routes built with any of these route configurations (their error handling, say). */
    private static Set<Path> filesBuiltWith(Model model, Set<String> configurationIds) {
        Set<Path> files = new LinkedHashSet<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            Set<String> applied = route.getAppliedRouteConfigurationIds();
            Path source = fileOf(route.getResource());
            if (applied != null && source != null && !Collections.disjoint(applied, configurationIds)) {
                files.add(source);
            }
        }
        return files;
    }

    /**
     * The ids of the routes the builders hold, templated ones too; refuses a route without an id, an
     * id twice, or one a route of another file has.
     */
    private static List<String> checkRouteIds(CamelContext camel, Set<Path> files, Collection<RoutesBuilder> builders)
            throws Exception {
        Set<String> ids = new LinkedHashSet<>();
        for (RoutesBuilder builder : builders) {
            if (!(builder instanceof RouteBuilder routeBuilder)) {
                continue;
            }
            List<String> declared = new ArrayList<>();
            for (RouteDefinition route : routeBuilder.configureRoutes(camel).getRoutes()) {
                if (route.getRouteId() == null || !route.hasCustomIdAssigned()) {
                    throw new InvalidRouteFileException("the route from " + route.getInput().getEndpointUri()
                            + " has no id; every route needs one to be reloaded");
                }
                declared.add(route.getRouteId());
            }
            for (TemplatedRouteDefinition route : templatedRoutes(camel, List.of(builder))) {
                if (route.getRouteId() == null) {
                    throw new InvalidRouteFileException("the templatedRoute of " + route.getRouteTemplateRef()
                            + " has no routeId; every route needs one to be reloaded");
                }
                declared.add(route.getRouteId());
            }
            for (String id : declared) {
                if (!ids.add(id)) {
                    throw new InvalidRouteFileException("duplicate route id " + id + ": two routes have it");
                }
                Route running = camel.getRoute(id);
                if (running != null && !files.contains(fileOf(running.getSourceResource()))) {
                    throw new InvalidRouteFileException("duplicate route id " + id + ": the route of that id in "
                            + (running.getSourceResource() == null ? "no file"
                                    : running.getSourceResource().getLocation().replaceFirst("^file:", "")) + " has it already");
                }
            }
        }
        return List.copyOf(ids);
    }

    /** The files of the routes made from a route template (edge.WebhookCatalog gives them the file of their templatedRoute). */
    private static Set<Path> filesOfTemplatedRoutes(Model model) {
        Set<Path> files = new LinkedHashSet<>();
        for (RouteDefinition route : model.getRouteDefinitions()) {
            Path source = fileOf(route.getResource());
            if (route.getTemplateParameters() != null && source != null) {
                files.add(source);
            }
        }
        return files;
    }

    /** Whether the builders define a route template. */
    private static boolean definesTemplates(CamelContext camel, Collection<RoutesBuilder> builders) throws Exception {
        return !templateIds(camel, builders).isEmpty();
    }

    /** The ids of the route templates the builders define. */
    private static Set<String> templateIds(CamelContext camel, Collection<RoutesBuilder> builders) throws Exception {
        Set<String> ids = new LinkedHashSet<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routeBuilder) {
                routeBuilder.configureRoutes(camel);
                routeBuilder.getRouteTemplateCollection().getRouteTemplates().forEach(template -> ids.add(template.getId()));
            }
        }
        return ids;
    }

    /** The templatedRoutes the builders declare. */
    private static List<TemplatedRouteDefinition> templatedRoutes(CamelContext camel, Collection<RoutesBuilder> builders)
            throws Exception {
        List<TemplatedRouteDefinition> routes = new ArrayList<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routeBuilder) {
                routeBuilder.configureRoutes(camel);
                routes.addAll(routeBuilder.getTemplatedRouteCollection().getTemplatedRoutes());
            }
        }
        return routes;
    }

    /** Back to the routes of {@code files}, and every route configuration and template, as they were before a failed reload. */
    private static void putBack(CamelContext camel, Model model, Set<Path> files, List<String> newIds,
                                Map<String, ServiceStatus> statuses, List<RouteDefinition> definitions,
                                List<RouteConfigurationDefinition> configurations, List<RouteTemplateDefinition> templates) {
        RouteController controller = camel.getRouteController();
        try {
            Set<String> ids = new LinkedHashSet<>(newIds);
            ids.addAll(statuses.keySet());
            for (String id : ids) {
                remove(controller, camel, id);
            }
            for (RouteConfigurationDefinition configuration : List.copyOf(model.getRouteConfigurationDefinitions())) {
                model.removeRouteConfiguration(configuration);
            }
            model.addRouteConfigurations(configurations);
            model.removeRouteTemplateDefinitions("*");
            model.addRouteTemplateDefinitions(templates);
            model.addRouteDefinitions(definitions);
            for (Map.Entry<String, ServiceStatus> route : statuses.entrySet()) {
                if (route.getValue() == ServiceStatus.Stopped) {
                    controller.stopRoute(route.getKey());
                } else if (route.getValue() == ServiceStatus.Suspended) {
                    controller.suspendRoute(route.getKey());
                }
            }
        } catch (Exception e) {
            log.error("Could not put back the routes of {} after a failed reload; restart the service", files, e);
        }
    }

    private static void remove(RouteController controller, CamelContext camel, String id) throws Exception {
        if (camel.getRoute(id) != null) {
            controller.stopRoute(id);
            camel.removeRoute(id);
        }
    }

    /** The file a resource was read from, absolute, or null when it is no file (a classpath resource). */
    static Path fileOf(Resource resource) {
        if (resource == null || resource.getLocation() == null || !resource.getLocation().startsWith("file:")) {
            return null;
        }
        return Path.of(resource.getLocation().substring("file:".length())).toAbsolutePath().normalize();
    }

    /**
     * Camel's message, which names the route and the step, followed by its root cause's where that
     * says more (a YAML parser's line and column), on one line.
     */
    private static String reasonOf(Exception e) {
        String message = messageOf(e);
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = messageOf(root);
        if (root != e && !message.contains(rootMessage)) {
            message = message + ": " + rootMessage;
        }
        return message.replaceAll("\\s*\\R\\s*", " ");
    }

    private static String messageOf(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    /** A route file that cannot be loaded as it stands. */
    static class InvalidRouteFileException extends Exception {
        InvalidRouteFileException(String message) {
            super(message);
        }
    }
}
