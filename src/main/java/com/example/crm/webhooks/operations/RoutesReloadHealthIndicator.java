package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.edge.WebhookCatalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Live route reload where it is on ({@code camel.main.routes-reload-enabled}, the embedded mode):
 * puts {@link RouteFileReloader} in the place of the reload strategy Camel made from those settings
 * (same directory and pattern), and reports it as health component {@code routesReload}. A reload
 * that would break the webhook conventions ({@link WebhookCatalog#problems()}) is undone.
 *
 * <p>UP while every file reloaded; {@value #RELOAD_FAILED} while the last reload of some file failed,
 * until that file reloads. The file and the reason are details, shown to a logged-in operator only:
 * a status description is shown to anyone who may ask for health, and a parse error quotes the route. A failed reload leaves every
 * route running as before, so that status does not make health DOWN: Spring's aggregation ignores a
 * status it does not rank, and it is in no health group.
 */
@Component
@ConditionalOnProperty(name = "camel.main.routes-reload-enabled", havingValue = "true")
public class RoutesReloadHealthIndicator implements HealthIndicator, CamelContextConfiguration {

    static final String RELOAD_FAILED = "RELOAD_FAILED";

    private final WebhookCatalog webhooks;
    private volatile RouteFileReloader reloader;

    public RoutesReloadHealthIndicator(WebhookCatalog webhooks) {
        this.webhooks = webhooks;
    }

    @Override
    public void beforeApplicationStart(CamelContext camelContext) {
        RouteWatcherReloadStrategy camels = camelContext.hasService(RouteWatcherReloadStrategy.class);
        if (camels == null) {
            return;
        }
        RouteFileReloader replacement = new RouteFileReloader(camels.getFolder(), camels.isRecursive(), webhooks::problems);
        replacement.setPattern(camels.getPattern());
        try {
            camelContext.removeService(camels);
            // Removed, it would still be started with the context (Camel defers the start of services added
            // before it); without a directory it starts no watcher.
            camels.setFolder(null);
            camelContext.addService(replacement);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up live route reload of " + camels.getFolder(), e);
        }
        reloader = replacement;
    }

    @Override
    public void afterApplicationStart(CamelContext camelContext) {
    }

    @Override
    public Health health() {
        RouteFileReloader current = reloader;
        if (current == null) {
            return Health.unknown().build();
        }
        List<RouteFileReloader.Failure> failures = current.failures();
        Health.Builder health = failures.isEmpty() ? Health.up()
                : Health.status(new Status(RELOAD_FAILED, failures.size() + " route file(s) failed to reload"));
        Map<String, String> failed = new LinkedHashMap<>();
        failures.forEach(failure -> failed.put(failure.file(), failure.at() + " " + failure.reason()));
        return health.withDetail("directory", current.getFolder())
                .withDetail("reloaded", current.getReloadCounter())
                .withDetail("failed", current.getFailedCounter())
                .withDetail("failing", failed)
                .build();
    }
}
