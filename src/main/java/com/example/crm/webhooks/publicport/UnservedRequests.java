package com.example.crm.webhooks.publicport;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;

/**
 * The public port's answers to requests no started route takes, in the JSON every other error
 * there has ({@code {"error": "..."}}), never Vert.x's HTML page or Camel's empty 503:
 * <ul>
 * <li>a webhook path whose route is stopped or gone (an operator in the console, a route file
 *     being reloaded), or whose consumer is suspended (a shutdown): 503 with Retry-After, so Twilio
 *     and Reverse Contact retry, and readiness is DOWN meanwhile while the route is not running
 *     (operations.WebhookRoutesHealthIndicator). A route an operator suspends keeps its consumer and
 *     holds its deliveries instead (edge.WebhookSuspension, edge.PausedWebhooks);</li>
 * <li>any other path: 404; a known path with another method: 405.</li>
 * </ul>
 * A webhook path is the path of a {@code platform-http} route the service has, or had since it started.
 */
final class UnservedRequests {

    private final CamelContext camelContext;
    private final String retryAfterSeconds;
    private final Set<String> webhookPaths = ConcurrentHashMap.newKeySet();

    UnservedRequests(CamelContext camelContext, String retryAfterSeconds) {
        this.camelContext = camelContext;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Answers, on the public port's {@code router}, every request none of its routes matched. */
    void install(Router router) {
        rememberWebhookPaths();
        router.errorHandler(404, this::noRoute);
        router.errorHandler(405, context -> answer(context, 405, "method not allowed"));
    }

    private void noRoute(RoutingContext context) {
        rememberWebhookPaths(); // routes added since start-up
        if (webhookPaths.contains(context.normalizedPath())) {
            unavailable(context);
        } else {
            answer(context, 404, "not found");
        }
    }

    /** The answer for a request to a route whose consumer is suspended: WebhookHttpEngine's consumer gives it. */
    void unavailable(RoutingContext context) {
        context.response().putHeader(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        answer(context, 503, "webhook unavailable, retry later");
    }

    private void rememberWebhookPaths() {
        for (Route route : camelContext.getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint endpoint) {
                webhookPaths.add(endpoint.getPath());
            }
        }
    }

    private static void answer(RoutingContext context, int status, String error) {
        context.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"error\":\"" + error + "\"}");
    }
}
