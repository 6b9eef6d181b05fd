package com.example.crm.webhooks.support;

import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.publicport.PublicHttpServer;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the whole-application tests: the service on random ports (webhooks on {@link #http}),
 * on the real embedded parts of {@link TestInfrastructure}. Every subclass shares this one
 * configuration, so Spring's context cache starts the application once per test JVM. Tables and
 * the intake spool are emptied and WireMock is reset before each test.
 */
@CamelSpringBootTest
// Camel's test support turns JMX off by default; the management console reads the route MBeans.
@DisableJmx(false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class WebhookServiceTest {

    @Autowired
    private PublicHttpServer publicHttpServer;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected CamelContext camelContext;

    protected TestDatabase db;
    protected WebhookClient http;

    @DynamicPropertySource
    static void embeddedParts(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    /**
     * Waits until the intake spool is empty: a delivery the database did not take at once (a busy
     * moment, an alert waiting for its turn) is answered as stored and applied a moment later.
     */
    protected void awaitIntakeSpoolDrained() {
        await("the intake spool drained").atMost(Duration.ofSeconds(20)).until(TestInfrastructure::sharedIntakeSpoolIsEmpty);
    }

    @BeforeEach
    void startFromEmptyTables() {
        // A delivery another test left in the intake spool must not be applied into this one's tables.
        TestInfrastructure.emptySharedIntakeSpool();
        db = new TestDatabase(jdbc);
        db.truncateAll();
        http = new WebhookClient("http://127.0.0.1:" + publicHttpServer.port());
        TestInfrastructure.thirdParties().resetAll();
    }
}
