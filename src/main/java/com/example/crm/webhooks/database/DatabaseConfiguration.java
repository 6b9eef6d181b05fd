package com.example.crm.webhooks.database;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Puts the {@link DatabaseCircuit} in front of the DataSource Spring Boot configures (HikariCP), so
 * every user of the database (the routes' sql: steps, JdbcTemplate, transactions, health) asks it
 * for connections. Spring's own unwrapping still finds the pool behind it (pool metrics).
 *
 * <p>HikariCP shows the circuit every SQLException a statement on one of its connections throws
 * (its {@link SQLExceptionOverride}, which also decides whether the connection is dropped: that
 * decision stays the pool's own), and how many connections it holds.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {

    @Bean
    static BeanPostProcessor databaseCircuitInFrontOfThePool(Environment environment) {
        Duration probeInterval = environment.getRequiredProperty("database.circuit.probe-interval", Duration.class);
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (!(bean instanceof DataSource pool) || bean instanceof DatabaseCircuit) {
                    return bean;
                }
                if (!(pool instanceof HikariDataSource hikari)) {
                    return new DatabaseCircuit(pool, probeInterval, () -> -1);
                }
                DatabaseCircuit circuit = new DatabaseCircuit(hikari, probeInterval, () -> {
                    HikariPoolMXBean running = hikari.getHikariPoolMXBean();
                    return running == null ? -1 : running.getTotalConnections();
                });
                // Set before the pool starts (at its first connection), when its configuration is sealed.
                hikari.setExceptionOverride(new SQLExceptionOverride() {
                    @java.lang.Override
                    public SQLExceptionOverride.Override adjudicate(SQLException failure) {
                        circuit.statementFailed(failure);
                        return SQLExceptionOverride.Override.CONTINUE_EVICT;
                    }
                });
                return circuit;
            }
        };
    }

    /**
     * Every {@code sql:} endpoint (inline or {@code sql:classpath:}, in any route, a reloaded one
     * included) reads each statement once ({@link ParsedSqlStatements}) unless it names its own
     * {@code prepareStatementStrategy}. camel-sql has no component-wide option for it; an endpoint
     * callback is Camel's hook for every endpoint as it is registered.
     */
    @Bean
    CamelContextConfiguration sqlEndpointsReadEachStatementOnce() {
        ParsedSqlStatements statements = new ParsedSqlStatements();
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                camelContext.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
                    // The strategy splits a plain-text body with ',' like the default; other separators keep the default.
                    if (endpoint instanceof SqlEndpoint sql && sql.getPrepareStatementStrategy() == null
                            && sql.getSeparator() == ',') {
                        sql.setPrepareStatementStrategy(statements);
                    }
                    return endpoint;
                });
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
            }
        };
    }
}
