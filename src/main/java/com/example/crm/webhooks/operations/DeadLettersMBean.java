package com.example.crm.webhooks.operations;

import java.util.List;
import javax.management.MalformedObjectNameException;
import org.apache.camel.CamelContext;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedResource;
import org.springframework.stereotype.Component;

/**
 * The dead-letter replay in the console: {@code replay(id)} and {@code replayAll()} on the MBean
 * {@code com.example.crm.webhooks:type=DeadLetters,context=<Camel context name>}, the same replay as
 * POST /actuator/deadletters; jolokia-access.xml allows exactly these two. Registered only while
 * Camel's JMX is on (without it there is nothing for the console to show), and named after the
 * Camel context so that several copies of the service in one JVM (the tests) never clash.
 */
@Component
@ConditionalOnBooleanProperty(name = "camel.main.jmx-enabled", matchIfMissing = true)
@ManagedResource(description = "Dead letters: replay one or all, as POST /actuator/deadletters does")
public class DeadLettersMBean extends ConsoleMBean {

    private final DeadLetterReplay deadLetters;

    public DeadLettersMBean(DeadLetterReplay deadLetters, CamelContext camelContext) throws MalformedObjectNameException {
        super("DeadLetters", camelContext);
        this.deadLetters = deadLetters;
    }

    @ManagedOperation(description = "Replays one dead letter: its enrichment job is queued again, or its spooled delivery applied. "
            + "Returns its id, or nothing if there is no such open dead letter")
    @ManagedOperationParameter(name = "id", description = "The dead letter's id (GET /actuator/deadletters lists them)")
    public List<String> replay(String id) {
        return deadLetters.replay(id);
    }

    @ManagedOperation(description = "Replays every open dead letter. Returns their ids")
    public List<String> replayAll() {
        return deadLetters.replayAll();
    }
}
