package com.example.crm.webhooks.edge;

import com.example.crm.webhooks.config.InvalidWebhooksException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.LifecycleStrategySupport;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * The webhooks, found in the Camel context rather than listed: every route made from the route
 * template {@value #TEMPLATE} (routes/webhook.camel.yaml), which puts it in the route group
 * {@value #GROUP}. Live: a webhook whose route is added later (a reloaded route file, a test's) is
 * one from then on, and those that want to know (metrics, the intake counters) are told
 * ({@link #onWebhook}). A webhook stays known once seen, so readiness misses one whose route is gone,
 * until it is {@link #remove removed} on purpose.
 *
 * <p>Its conventions are checked once the service has started, and by the route reload before a
 * reloaded file takes effect ({@link #problems()}): every {@code platform-http} route is an instance
 * of the template, and each instance's parameters name a bean and method, or a route, that exists.
 * When they do not hold, start-up stops (or the reload is undone), naming every route and what it lacks.
 */
@Component(WebhookCatalog.BEAN_NAME)
public class WebhookCatalog implements ApplicationListener<ApplicationReadyEvent>, RouteBuilderLifecycleStrategy {

    public static final String BEAN_NAME = "webhookCatalog";
    /** The route template every webhook is made from. */
    public static final String TEMPLATE = "webhook";
    /** The route group the template puts every webhook in. */
    public static final String GROUP = "webhooks";

    /**
     * One webhook, as its instance of the template declares it.
     *
     * @param id                 its route id (metrics label, spooled deliveries' route)
     * @param path               the public path it is posted to
     * @param body               how its body is read
     * @param authenticate       the bean that checks the caller, and its method
     * @param authenticateMethod that method
     * @param reader             the bean that reads a delivery into the store route's values
     * @param readMethod         that method
     * @param store              the direct route that stores the values
     */
    public record Webhook(String id, String path, WebhookRequests.Body body, String authenticate,
                          String authenticateMethod, String reader, String readMethod, String store) {
    }

    private final CamelContext camel;
    private final Set<String> known = new ConcurrentSkipListSet<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    /** The file of each templatedRoute, by its routeId, as the route files were read. */
    private final Map<String, Resource> declaredIn = new ConcurrentHashMap<>();

    public WebhookCatalog(CamelContext camel) {
        this.camel = camel;
        camel.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onRoutesAdd(Collection<Route> routes) {
                routes.stream().filter(WebhookCatalog::isWebhook).map(Route::getRouteId).forEach(WebhookCatalog.this::seen);
            }
        });
        model(camel).addModelLifecycleStrategy(new ModelLifecycleStrategy() {
            @Override
            public void onAddRouteDefinition(RouteDefinition route) {
                if (route.getResource() == null && route.getTemplateParameters() != null && route.getRouteId() != null) {
                    route.setResource(declaredIn.get(route.getRouteId()));
                }
            }

            @Override
            public void onRemoveRouteDefinition(RouteDefinition route) {
            }

            @Override
            public void onAddRouteTemplateDefinition(RouteTemplateDefinition template) {
            }

            @Override
            public void onRemoveRouteTemplateDefinition(RouteTemplateDefinition template) {
            }
        });
    }

    /**
     * Camel keeps no file for a route made from a template; it gets the file of its templatedRoute
     * here, once a route file is read and before its routes are made, so the console, the logs and
     * the route reload (operations.RouteFileReloader) see which file a webhook comes from.
     */
    @Override
    public void afterConfigure(RouteBuilder builder) {
        for (TemplatedRouteDefinition route : builder.getTemplatedRouteCollection().getTemplatedRoutes()) {
            if (route.getRouteId() != null && route.getResource() != null) {
                declaredIn.put(route.getRouteId(), route.getResource());
            }
        }
    }

    /** Calls {@code listener} with the id of every webhook known now, and of each one that appears later. */
    public void onWebhook(Consumer<String> listener) {
        listeners.add(listener);
        known.forEach(listener);
    }

    /** The ids of the webhooks: every one seen since start, running or not, and not removed on purpose. */
    public SortedSet<String> ids() {
        camel.getRoutes().stream().filter(WebhookCatalog::isWebhook).map(Route::getRouteId).forEach(this::seen);
        return new TreeSet<>(known);
    }

    /** The webhook of this id as its route declares it now; empty when no such webhook route exists. */
    public Optional<Webhook> webhook(String id) {
        return webhook(camel, id);
    }

    /**
     * The webhook a delivery came in on, to apply it again (the intake drain): a delivery that names
     * no webhook running now is refused for good (a dead letter, replayable once it runs again).
     */
    public Webhook webhookOf(WebhookDelivery delivery) {
        return webhook(delivery.route()).orElseThrow(() -> WebhookRejection.badRequest("no webhook " + delivery.route()));
    }

    /**
     * Removes a webhook on purpose: its route is stopped and removed, and readiness no longer
     * expects it (a route merely gone, say from a reloaded file, makes readiness DOWN).
     */
    public void remove(String id) throws Exception {
        if (camel.getRoute(id) != null) {
            camel.getRouteController().stopRoute(id);
            camel.removeRoute(id);
        }
        known.remove(id);
    }

    /** The webhook of route {@code id} in {@code camel}, as its template parameters declare it. */
    public static Optional<Webhook> webhook(CamelContext camel, String id) {
        RouteDefinition route = id == null ? null : model(camel).getRouteDefinition(id);
        if (route == null || !GROUP.equals(route.getGroup()) || route.getTemplateParameters() == null) {
            return Optional.empty();
        }
        Map<String, Object> parameters = route.getTemplateParameters();
        Optional<WebhookRequests.Body> body = WebhookRequests.Body.of(text(parameters, "body"));
        return body.map(declared -> new Webhook(id, text(parameters, "path"), declared,
                text(parameters, "authenticate"), text(parameters, "authenticateMethod"),
                text(parameters, "reader"), text(parameters, "readMethod"), text(parameters, "store")));
    }

    /**
     * At start, once the Camel context runs (it starts with Spring's context, before this event): the
     * conventions hold, or start-up stops (a failure here fails {@code SpringApplication.run}, where
     * Camel only logs one from its own start-up callbacks).
     */
    @Override
    public void onApplicationEvent(ApplicationReadyEvent ready) {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new InvalidWebhooksException(problems);
        }
    }

    /**
     * What breaks the webhook conventions now, one line per route and what it lacks: a
     * {@code platform-http} route not made from the template, a webhook whose parameters name no such
     * bean, method or store route. Empty when every webhook keeps them.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Route route : camel.getRoutes()) {
            String id = route.getRouteId();
            boolean servesHttp = route.getEndpoint() != null && route.getEndpoint().getEndpointUri().startsWith("platform-http:");
            if (!isWebhook(route)) {
                if (servesHttp) {
                    problems.add("route " + id + " serves " + route.getEndpoint().getEndpointUri()
                            + " but is not made from the route template " + TEMPLATE + " (routes/webhook.camel.yaml)");
                }
                continue;
            }
            RouteDefinition definition = model(camel).getRouteDefinition(id);
            Map<String, Object> parameters = definition == null ? null : definition.getTemplateParameters();
            if (parameters == null) {
                problems.add("webhook " + id + " is in the route group " + GROUP + " but not made from the route template " + TEMPLATE);
                continue;
            }
            problems.addAll(problems(id, parameters));
        }
        return problems;
    }

    private List<String> problems(String id, Map<String, Object> parameters) {
        List<String> problems = new ArrayList<>();
        String prefix = "webhook " + id + ": ";
        if (!id.equals(text(parameters, "webhook"))) {
            problems.add(prefix + "parameter webhook is " + text(parameters, "webhook") + ", not its routeId " + id);
        }
        if (WebhookRequests.Body.of(text(parameters, "body")).isEmpty()) {
            problems.add(prefix + "parameter body is " + text(parameters, "body") + ", not form or json");
        }
        beanProblem(parameters, "authenticate", "authenticateMethod").ifPresent(problem -> problems.add(prefix + problem));
        beanProblem(parameters, "reader", "readMethod").ifPresent(problem -> problems.add(prefix + problem));
        String store = text(parameters, "store");
        Route storeRoute = store == null ? null : camel.getRoute(store);
        if (storeRoute == null || !storeRoute.getEndpoint().getEndpointUri().startsWith("direct://" + store)) {
            problems.add(prefix + "no route " + store + " from direct:" + store + " (parameter store)");
        }
        return problems;
    }

    /** Why the bean and method these parameters name cannot be called with a delivery, if they cannot. */
    private Optional<String> beanProblem(Map<String, Object> parameters, String beanParameter, String methodParameter) {
        String name = text(parameters, beanParameter);
        String method = text(parameters, methodParameter);
        Object bean = name == null ? null : camel.getRegistry().lookupByName(name);
        if (bean == null) {
            return Optional.of("no bean " + name + " (parameter " + beanParameter + ")");
        }
        boolean callable = Arrays.stream(bean.getClass().getMethods())
                .filter(candidate -> candidate.getName().equals(method) && !Modifier.isStatic(candidate.getModifiers()))
                .map(Method::getParameterTypes)
                .anyMatch(types -> types.length == 1 && types[0].isAssignableFrom(WebhookDelivery.class));
        return callable ? Optional.empty()
                : Optional.of("bean " + name + " has no method " + method + "(WebhookDelivery) (parameter " + methodParameter + ")");
    }

    private void seen(String id) {
        if (known.add(id)) {
            listeners.forEach(listener -> listener.accept(id));
        }
    }

    private static boolean isWebhook(Route route) {
        return GROUP.equals(route.getGroup());
    }

    private static String text(Map<String, Object> parameters, String name) {
        return Objects.toString(parameters.get(name), null);
    }

    private static Model model(CamelContext camel) {
        return camel.getCamelContextExtension().getContextPlugin(Model.class);
    }
}
