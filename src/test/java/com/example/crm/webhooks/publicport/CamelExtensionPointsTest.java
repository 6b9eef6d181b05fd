package com.example.crm.webhooks.publicport;

import static com.example.crm.webhooks.support.TwilioRequests.MESSAGE_STATUS;
import static com.example.crm.webhooks.support.TwilioRequests.statusCallback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.DefaultPlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumerAware;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What the public port takes from Camel's platform-http-vertx (4.17), each named, so an upgrade that
 * changes one fails here rather than silently on the port. The signatures by reflection, and what
 * Camel does with them through real HTTP:
 * <ul>
 *   <li>a router of our own, bound in the registry under {@code platform-http-router-<port>}, is
 *       where Camel's consumers add their routes ({@link PublicVertxServer});</li>
 *   <li>the engine's handlers ({@code setHandlers}) run on each route, in order, before Camel
 *       handles the request, and {@code createConsumer} lets the engine add one of its own per
 *       route ({@link WebhookHttpEngine}'s gate: a suspended route's request held, the body read first);</li>
 *   <li>the consumer's {@code populateCamelMessage} makes the message a route gets, so overriding it
 *       sets the body to what the public port read;</li>
 *   <li>the consumer's {@code handleRequest} takes a request from the router, so a held request can
 *       be given to the route that replaced the one it arrived for; Camel's route consumer wraps
 *       the engine's and gives it ({@code PlatformHttpConsumerAware}).</li>
 * </ul>
 */
class CamelExtensionPointsTest extends WebhookServiceTest {

    @Autowired
    private MeterRegistry meters;

    @Test
    void camelsSignaturesAreTheOnesThePublicPortUses() throws Exception {
        Method populate = VertxPlatformHttpConsumer.class.getDeclaredMethod("populateCamelMessage",
                RoutingContext.class, Exchange.class, Message.class);
        assertThat(Modifier.isProtected(populate.getModifiers())).as("populateCamelMessage is protected").isTrue();
        assertThat(Modifier.isFinal(populate.getModifiers())).isFalse();
        assertThat(populate.getGenericReturnType()).as("populateCamelMessage returns Future<Void>")
                .isEqualTo(futureOfVoid());
        Constructor<VertxPlatformHttpConsumer> consumer = VertxPlatformHttpConsumer.class.getConstructor(
                PlatformHttpEndpoint.class, Processor.class, List.class, String.class);
        assertThat(Modifier.isPublic(consumer.getModifiers())).isTrue();

        Method handleRequest = VertxPlatformHttpConsumer.class.getDeclaredMethod("handleRequest", RoutingContext.class);
        assertThat(Modifier.isProtected(handleRequest.getModifiers())).as("handleRequest is protected").isTrue();
        assertThat(Modifier.isFinal(handleRequest.getModifiers())).isFalse();
        assertThat(PlatformHttpConsumerAware.class).as("the route's consumer gives the engine's")
                .isAssignableFrom(DefaultPlatformHttpConsumer.class);

        Method createConsumer = VertxPlatformHttpEngine.class.getMethod("createConsumer", PlatformHttpEndpoint.class, Processor.class);
        assertThat(createConsumer.getReturnType()).isEqualTo(PlatformHttpConsumer.class);
        assertThat(Modifier.isFinal(createConsumer.getModifiers())).isFalse();
        assertThat(VertxPlatformHttpEngine.class.getMethod("getHandlers").getReturnType()).isEqualTo(List.class);
        assertThat(VertxPlatformHttpEngine.class.getMethod("setHandlers", List.class)).isNotNull();

        assertThat(VertxPlatformHttpRouter.class.getConstructor(VertxPlatformHttpServer.class, Vertx.class, Router.class, String.class))
                .isNotNull();
        Method bodyHandler = VertxPlatformHttpRouter.class.getMethod("bodyHandler");
        assertThat(Modifier.isFinal(bodyHandler.getModifiers())).isFalse();
        assertThat(bodyHandler.getReturnType()).isEqualTo(Handler.class);
        assertThat(VertxPlatformHttpRouter.getRouterNameFromPort(8080)).isEqualTo("platform-http-router-8080");
    }

    /**
     * One route asking for the original message (an error handler's {@code useOriginalMessage})
     * makes Camel copy every exchange's message, headers and all, as its unit of work starts, on
     * every route: each webhook request would pay for it. The dead letter routes take the job from
     * the variable its route kept instead.
     */
    @Test
    void noRouteMakesCamelCopyEveryRequestsMessage() {
        assertThat(camelContext.isAllowUseOriginalMessage()).isFalse();
    }

    @Test
    void camelsConsumersAddTheirRoutesToThePublicPortsRouter() {
        VertxPlatformHttpRouter router = camelContext.getRegistry().findByType(VertxPlatformHttpRouter.class).stream()
                .findFirst().orElseThrow();

        assertThat(router.getRoutes()).extracting(Route::getPath).contains(TwilioRequests.INBOUND, MESSAGE_STATUS,
                "/api/webhooks/reversecontact", "/api/webhooks/reversecontact/resolve");
    }

    @Test
    void theBodyThePublicPortReadIsTheBodyTheRouteGets() {
        HttpResponse<String> answer = new TwilioRequests(http).post(MESSAGE_STATUS, statusCallback("SMextension", "delivered"));

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(jdbc.queryForObject("select status from message_status_events where twilio_sid = 'SMextension'", String.class))
                .isEqualTo("delivered");
    }

    @Test
    void theEnginesHandlersRunBeforeCamelHandlesTheRequest() throws Exception {
        WebhookClient.RawResponse malformed = http.postRaw("/api/webhooks/reversecontact?secret=%zz", "application/json",
                "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.text()).contains("{\"error\":\"malformed query string\"}");

        // A consumer suspended as Camel suspends a stopping route's (an operator's suspend of the route
        // pauses the webhook instead): the gate holds the request until the consumer takes requests again.
        Consumer consumer = camelContext.getRoute("reversecontact-alert").getConsumer();
        ServiceHelper.suspendService(consumer);
        CompletableFuture<HttpResponse<String>> held;
        try {
            held = CompletableFuture.supplyAsync(() -> http.postJson("/api/webhooks/reversecontact", "{}"));
            await("the request waits at the gate").atMost(Duration.ofSeconds(30)).until(() -> waitingRequests() == 1);
            assertThat(held).isNotDone();
        } finally {
            ServiceHelper.resumeService(consumer);
        }
        HttpResponse<String> answer = held.get(30, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as("the route's own answer: an alert without a subscription").isEqualTo(400);
        assertThat(waitingRequests()).isZero();
    }

    private double waitingRequests() {
        return meters.get("public.http.requests.waiting").gauge().value();
    }

    private static Type futureOfVoid() throws NoSuchMethodException {
        return CamelExtensionPointsTest.class.getDeclaredMethod("aFutureOfVoid").getGenericReturnType();
    }

    @SuppressWarnings("unused") // its return type is the expected one
    private static Future<Void> aFutureOfVoid() {
        return null;
    }
}
