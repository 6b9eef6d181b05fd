package com.example.crm.webhooks.edge;

import com.example.crm.webhooks.intake.SpooledDelivery;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Which webhooks hold their deliveries. A webhook is <em>paused</em> while an operator has its entry
 * route or its store route suspended (Camel's suspend, in the console or over JMX), or while either is
 * stopped or gone (a route file being reloaded): every delivery that passes its checks is kept in the
 * intake spool and answered as on success (the webhook template's store step,
 * routes/webhook.camel.yaml), and the intake drain leaves its deliveries where they are
 * (routes/intake.camel.yaml). Once resumed, it still <em>holds</em> until a drain pass finds none of
 * its deliveries waiting, so a live delivery never overtakes a held one.
 *
 * <p>Prometheus reads {@code webhooks_paused{endpoint}} here: 1 while the webhook holds, else 0.
 * The spool is per instance's routes: pause a webhook on every instance.
 */
@Component(PausedWebhooks.BEAN_NAME)
public class PausedWebhooks implements GenericFileFilter<Object>, MeterBinder {

    public static final String BEAN_NAME = "pausedWebhooks";

    private static final Logger log = LoggerFactory.getLogger(PausedWebhooks.class);

    private final CamelContext camel;
    private final WebhookCatalog webhooks;
    private final Path spoolDirectory;
    /** Each webhook with held deliveries in the spool, and when it last spooled one because it held. */
    private final Map<String, Instant> heldSince = new ConcurrentHashMap<>();

    public PausedWebhooks(CamelContext camel, WebhookCatalog webhooks, @Value("${intake.spool-dir}") String spoolDirectory) {
        this.camel = camel;
        this.webhooks = webhooks;
        this.spoolDirectory = Path.of(spoolDirectory);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        webhooks.onWebhook(webhook -> Gauge.builder("webhooks.paused", this, paused -> paused.holds(webhook) ? 1 : 0)
                .description("1 while a webhook is paused or still applying what it held: its deliveries wait in the intake spool")
                .tag("endpoint", webhook).register(registry));
    }

    /**
     * The webhook template's store step, first: a delivery of a webhook that holds goes to the spool
     * ({@link WebhookHeldException}, caught there), else on to its store route.
     */
    public void passOn(String webhook, String store) {
        if (paused(webhook, store) || heldSince.containsKey(webhook)) {
            throw new WebhookHeldException(webhook);
        }
    }

    /** The template's store step is spooling a delivery this webhook held: live ones wait behind it. */
    public void held(String webhook) {
        if (heldSince.put(webhook, Instant.now()) == null) {
            log.info("Webhook {} is paused: deliveries that pass its checks are kept in the intake spool until it is resumed", webhook);
        }
    }

    /** Whether the webhook's entry route or store route is not running (suspended, stopped or gone). */
    public boolean paused(String webhook) {
        // A name no webhook has (a document this service did not write) is not held: the drain sets it aside.
        return webhook != null && webhooks.webhook(webhook)
                .map(known -> paused(webhook, known.store()))
                .orElse(false);
    }

    /** Whether it is paused, or resumed but not done applying what it held. */
    public boolean holds(String webhook) {
        return heldSince.containsKey(webhook) || paused(webhook);
    }

    /** The webhooks that hold now (health details), by id. */
    public SortedSet<String> holding() {
        return webhooks.ids().stream().filter(this::holds).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * A drain pass of R2 (its {@code keys}, listed since the pass began): the keys of deliveries it may
     * apply now, leaving those of paused webhooks in the spool. A resumed webhook none of whose
     * deliveries this listing or the spool directory holds, and which spooled none since the pass
     * began, holds no more.
     */
    public List<String> notPaused(List<String> keys, Exchange pass) {
        Instant passBegan = Instant.ofEpochMilli(pass.getClock().getCreated());
        Set<String> listed = keys.stream().map(SpooledDelivery::routeOf).collect(Collectors.toSet());
        heldSince.forEach((webhook, since) -> {
            if (since.isBefore(passBegan) && !listed.contains(webhook) && !paused(webhook) && !inSpoolDirectory(webhook)
                    && heldSince.remove(webhook, since)) {
                log.info("Webhook {} applied every delivery it held: deliveries are stored at once again", webhook);
            }
        });
        return keys.stream().filter(key -> !paused(SpooledDelivery.routeOf(key))).toList();
    }

    /** The spool directory's drain: a file of a paused webhook's delivery stays for a later poll. */
    @Override
    public boolean accept(GenericFile<Object> file) {
        if (file.isDirectory()) {
            return true;
        }
        return !paused(SpooledDelivery.routeOf(file.getFileNameOnly()));
    }

    private boolean paused(String webhook, String store) {
        return !running(webhook) || store == null || !running(store);
    }

    private boolean running(String routeId) {
        return camel.getRouteController().getRouteStatus(routeId) == ServiceStatus.Started;
    }

    private boolean inSpoolDirectory(String webhook) {
        if (!Files.isDirectory(spoolDirectory)) {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spoolDirectory, "*.json")) {
            for (Path file : files) {
                if (webhook.equals(SpooledDelivery.routeOf(file.getFileName().toString()))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true; // unknown: hold on until a pass can tell
        }
    }
}
