package com.example.crm.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.List;
import java.util.Map;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** camel-jdbc is wired to the application's datasource: a route writes a row and reads it back. */
class CamelJdbcRoundTripTest extends WebhookServiceTest {

    @BeforeEach
    void addRoutes() throws Exception {
        if (camelContext.getRoute("test-jdbc-write-company") != null) {
            return;
        }
        camelContext.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:test-jdbc-write-company").routeId("test-jdbc-write-company")
                        .setBody(constant("insert into companies (id, name) values (:?id, :?name)"))
                        .to("jdbc:dataSource?useHeadersAsParameters=true");
                from("direct:test-jdbc-read-company").routeId("test-jdbc-read-company")
                        .setBody(constant("select id, name from companies where id = :?id"))
                        .to("jdbc:dataSource?useHeadersAsParameters=true");
            }
        });
    }

    @Test
    void writesAndReadsThroughCamelJdbc() {
        ProducerTemplate producer = camelContext.createProducerTemplate();
        producer.sendBodyAndHeaders("direct:test-jdbc-write-company", null, Map.of("id", "c-1", "name", "Analytical Engines"));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = producer.requestBodyAndHeaders(
                "direct:test-jdbc-read-company", null, Map.of("id", "c-1"), List.class);

        assertThat(rows).containsExactly(Map.<String, Object>of("id", "c-1", "name", "Analytical Engines"));
        assertThat(jdbc.queryForObject("select name from companies where id = 'c-1'", String.class))
                .isEqualTo("Analytical Engines");
    }
}
