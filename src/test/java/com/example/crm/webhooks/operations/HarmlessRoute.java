package com.example.crm.webhooks.operations;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;

/**
 * A route of the test's own for the console to start and stop, so the webhook routes other tests
 * use are never touched: {@code direct:<id>}, answering "ok". Close it to remove it again.
 */
final class HarmlessRoute implements AutoCloseable {

    private final CamelContext camelContext;
    private final String id;

    private HarmlessRoute(CamelContext camelContext, String id) {
        this.camelContext = camelContext;
        this.id = id;
    }

    static HarmlessRoute add(CamelContext camelContext, String id) throws Exception {
        camelContext.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:" + id).routeId(id).setBody(constant("ok"));
            }
        });
        return new HarmlessRoute(camelContext, id);
    }

    /** The route's MBean name pattern, for a Jolokia search. */
    String mbeanPattern() {
        return "org.apache.camel:type=routes,name=\"" + id + "\",*";
    }

    ServiceStatus status() {
        return camelContext.getRouteController().getRouteStatus(id);
    }

    void send() throws Exception {
        try (ProducerTemplate producer = camelContext.createProducerTemplate()) {
            producer.sendBody("direct:" + id, "ping");
        }
    }

    @Override
    public void close() throws Exception {
        camelContext.getRouteController().stopRoute(id);
        camelContext.removeRoute(id);
    }
}
