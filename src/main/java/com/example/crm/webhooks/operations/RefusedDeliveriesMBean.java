package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.operations.RefusedDeliveryReplay.Filter;
import com.example.crm.webhooks.operations.RefusedDeliveryReplay.Outcome;
import java.util.List;
import javax.management.MalformedObjectNameException;
import org.apache.camel.CamelContext;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedOperationParameters;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/**
 * The refused deliveries' replay in the console, next to the dead letters: {@code replay(id)} and
 * {@code replayMatching(webhook, reason, since, until)} on the MBean
 * {@code com.example.crm.webhooks:type=RefusedDeliveries,context=<Camel context name>}, the same
 * replays as POST /actuator/refused; jolokia-access.xml allows exactly these two. Registered as
 * {@link DeadLettersMBean} is, and for the same reasons.
 */
@Component
@ConditionalOnBooleanProperty(name = "camel.main.jmx-enabled", matchIfMissing = true)
@ManagedResource(description = "Refused deliveries: replay one or many, as POST /actuator/refused/.../replay does")
public class RefusedDeliveriesMBean extends ConsoleMBean {

    private final RefusedDeliveryReplay refused;

    public RefusedDeliveriesMBean(RefusedDeliveryReplay refused, CamelContext camelContext) throws MalformedObjectNameException {
        super("RefusedDeliveries", camelContext);
        this.refused = refused;
    }

    @ManagedOperation(description = "Replays one refused delivery through its webhook's checks now. "
            + "Returns its outcome (applied, or why it is still refused), or nothing if there is no such delivery")
    @ManagedOperationParameter(name = "id", description = "The refused delivery's id (GET /actuator/refused lists them)")
    public String replay(String id) {
        return refused.replay(id).map(Outcome::outcome).orElse(null);
    }

    @ManagedOperation(description = "Replays every refused delivery not applied yet of a webhook, a reason and a time range "
            + "(empty for any), oldest first. Returns each one's id and outcome")
    @ManagedOperationParameters({
            @ManagedOperationParameter(name = "webhook", description = "The webhook, e.g. twilio-inbound; empty for any"),
            @ManagedOperationParameter(name = "reason", description = "signature, validation, unknown_entity or not_configured; empty for any"),
            @ManagedOperationParameter(name = "since", description = "Received at or after, ISO-8601 (2026-12-07T10:00:00Z); empty for any"),
            @ManagedOperationParameter(name = "until", description = "Received before, ISO-8601; empty for any")})
    public List<String> replayMatching(String webhook, String reason, String since, String until) {
        return refused.replay(Filter.of(webhook, reason, since, until)).stream()
                .map(outcome -> outcome.id() + ": " + outcome.outcome()).toList();
    }
}
