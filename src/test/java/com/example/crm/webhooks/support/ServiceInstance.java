package com.example.crm.webhooks.support;

import com.example.crm.webhooks.WebhookServiceApplication;
import com.example.crm.webhooks.publicport.PublicHttpServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One more running copy of the service, in this JVM, for the tests that need several instances
 * or their own database (two instances on one database, a database stopped under traffic). The
 * shared test application is not touched. Close it when done.
 */
public final class ServiceInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private ServiceInstance(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /**
     * Starts the service on random ports against {@code jdbcUrl}, with the shared S3 server and
     * WireMock of {@link TestInfrastructure}, and {@code overrides} on top.
     */
    public static ServiceInstance start(String name, String jdbcUrl, Map<String, Object> overrides) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(WebhookServiceApplication.class)
                .profiles("test")
                .run(arguments(name, jdbcUrl, overrides));
        return new ServiceInstance(context);
    }

    /**
     * The command-line arguments {@link #start} runs the service with ({@code --key=value}), also for
     * a service started as a separate process.
     */
    public static String[] arguments(String name, String jdbcUrl, Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.datasource.url", jdbcUrl);
        properties.put("spring.datasource.username", "postgres");
        properties.put("server.port", "0");
        properties.put("webhooks.http.port", "0");
        properties.put("camel.main.name", name);
        // JMX names would clash with the shared test application's CamelContext.
        properties.put("camel.main.jmx-enabled", "false");
        properties.put("spring.jmx.enabled", "false");
        properties.put("r2.endpoint", TestInfrastructure.s3().endpoint());
        properties.put("r2.bucket", TestInfrastructure.BUCKET);
        properties.put("r2.access-key-id", S3CompatibleServer.ACCESS_KEY_ID);
        properties.put("r2.secret-access-key", S3CompatibleServer.SECRET_ACCESS_KEY);
        properties.put("reversecontact.base-url", TestInfrastructure.thirdParties().baseUrl());
        properties.put("reversecontact.api-key", TestInfrastructure.REVERSECONTACT_API_KEY);
        properties.put("twilio.auth-token", TestInfrastructure.TWILIO_AUTH_TOKEN);
        properties.put("webhooks.public-base-url", TestInfrastructure.PUBLIC_BASE_URL);
        // Its own spool, in R2 and on disk: the shared application drains only what it spooled itself.
        properties.put("intake.spool-dir", TestInfrastructure.newSpoolDirectory(name));
        properties.put("intake.r2-prefix", "intake-" + name + "/");
        properties.putAll(overrides);
        // As command-line arguments: they outrank application.yaml and the test profile.
        return properties.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + context.getBean(PublicHttpServer.class).port();
    }

    /** The management port (console, metrics, health with details for the operator). */
    public int managementPort() {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    /** Its intake spool directory. */
    public Path spoolDirectory() {
        return Path.of(context.getEnvironment().getRequiredProperty("intake.spool-dir"));
    }

    public WebhookClient http() {
        return new WebhookClient(baseUrl());
    }

    public JdbcTemplate jdbc() {
        return context.getBean(JdbcTemplate.class);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
