package com.example.crm.webhooks.database;

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
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {

    @Bean
    static BeanPostProcessor databaseCircuitInFrontOfThePool(Environment environment) {
        Duration probeInterval = environment.getRequiredProperty("database.circuit.probe-interval", Duration.class);
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof DataSource pool && !(bean instanceof DatabaseCircuit)
                        ? new DatabaseCircuit(pool, probeInterval) : bean;
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
