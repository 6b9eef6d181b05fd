package com.example.crm.webhooks.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;

/**
 * Makes a named step of a real route fail, as a broken database, R2 or provider would, with
 * Camel's AdviceWith: the step gets a check woven in before it, which throws the armed failure and
 * otherwise does nothing. Woven once per context and step and left in place (disarmed, it changes
 * nothing), so the one shared application is not restarted for every test.
 */
public final class FaultInjection {

    private static final Map<String, FaultInjection> WOVEN = new ConcurrentHashMap<>();

    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicInteger remaining = new AtomicInteger();

    private FaultInjection() {
    }

    /** The fault injection before {@code stepId} of {@code routeId}, woven on first use. */
    public static FaultInjection before(CamelContext context, String routeId, String stepId) {
        return WOVEN.computeIfAbsent(context.getName() + "/" + routeId + "/" + stepId, key -> {
            FaultInjection injection = new FaultInjection();
            try {
                AdviceWith.adviceWith(context, routeId, route -> route.weaveById(stepId).before()
                        .process(exchange -> injection.failIfArmed()));
            } catch (Exception e) {
                throw new IllegalStateException("could not weave a fault before " + routeId + "/" + stepId, e);
            }
            return injection;
        });
    }

    /** The next {@code times} exchanges reaching the step fail with {@code exception}. */
    public FaultInjection failNext(int times, Exception exception) {
        failure.set(exception);
        remaining.set(times);
        return this;
    }

    /** Every exchange reaching the step fails with {@code exception}, until {@link #disarm}. */
    public FaultInjection failAlways(Exception exception) {
        return failNext(Integer.MAX_VALUE, exception);
    }

    public void disarm() {
        remaining.set(0);
        failure.set(null);
    }

    private void failIfArmed() throws Exception {
        Exception armed = failure.get();
        if (armed != null && remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            throw armed;
        }
    }
}
