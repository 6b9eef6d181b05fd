package com.example.crm.webhooks.publicport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpointWebExtension;

/**
 * {@code /actuator/health}, {@code /livez} and {@code /readyz} on the public port, answered
 * without a thread per request and never behind webhook work: a load balancer's probe must be
 * answered while every worker is busy with webhooks. The
 * actuator's check (readiness asks the database) runs on threads of its own, one per group at
 * most, and every request that arrives meanwhile gets that check's answer: a flood of unauthenticated
 * probes costs at most one check of each group at a time, and a load balancer's probe never queues
 * behind anyone's. An answer is never older than the check in flight when it was asked for. It
 * says the status and nothing else ({@code {"status":"UP"}}): anyone may ask.
 */
final class PublicHealth {

    private static final Logger log = LoggerFactory.getLogger(PublicHealth.class);

    private record Answer(int status, String body) {
    }

    private final HealthEndpointWebExtension health;
    private final ObjectMapper json;
    private final Executor checks;
    private final ConcurrentHashMap<String, AtomicReference<CompletableFuture<Answer>>> inFlight = new ConcurrentHashMap<>();

    /** {@code checks} runs the actuator's checks: it needs a thread for each group served, three here. */
    PublicHealth(HealthEndpointWebExtension health, ObjectMapper json, Executor checks) {
        this.health = health;
        this.json = json;
        this.checks = checks;
    }

    /** The handler answering the actuator's health group {@code group} (none: all of health). */
    Handler<RoutingContext> handler(String... group) {
        AtomicReference<CompletableFuture<Answer>> slot = inFlight.computeIfAbsent(String.join(",", group),
                name -> new AtomicReference<>());
        return context -> {
            Context eventLoop = context.vertx().getOrCreateContext();
            check(slot, group).whenComplete((answer, failure) -> eventLoop.runOnContext(v -> write(context, answer, failure)));
        };
    }

    /** The check in flight for the group, or a new one. */
    private CompletableFuture<Answer> check(AtomicReference<CompletableFuture<Answer>> slot, String[] group) {
        while (true) {
            CompletableFuture<Answer> running = slot.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<Answer> mine = new CompletableFuture<>();
            if (slot.compareAndSet(null, mine)) {
                try {
                    checks.execute(() -> {
                        try {
                            mine.complete(answer(group));
                        } catch (RuntimeException | JsonProcessingException e) {
                            mine.completeExceptionally(e);
                        } finally {
                            slot.compareAndSet(mine, null);
                        }
                    });
                } catch (RuntimeException rejected) {
                    slot.compareAndSet(mine, null);
                    mine.completeExceptionally(rejected); // shutting down
                }
                return mine;
            }
        }
    }

    /**
     * The actuator's own answer for the server namespace, same status codes (DOWN is 503), but its
     * status alone: the components and their details (a database's error text, a route file's parse
     * error) are the operator's, on the management port behind the login.
     */
    private Answer answer(String[] group) throws JsonProcessingException {
        WebEndpointResponse<HealthComponent> answer = health.health(ApiVersion.V3, WebServerNamespace.SERVER, SecurityContext.NONE, group);
        HealthComponent body = answer.getBody();
        return new Answer(answer.getStatus(), body == null ? "" : json.writeValueAsString(Map.of("status", body.getStatus().getCode())));
    }

    private static void write(RoutingContext context, Answer answer, Throwable failure) {
        if (context.response().ended() || context.response().closed()) {
            return;
        }
        if (failure != null) {
            log.error("Health check of the public port failed", failure);
            answer = new Answer(500, "{\"error\":\"internal error\"}");
        }
        context.response()
                .setStatusCode(answer.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(answer.body());
    }
}
