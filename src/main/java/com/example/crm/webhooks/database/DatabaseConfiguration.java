package com.example.crm.webhooks.database;

import java.time.Duration;
import javax.sql.DataSource;
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
}
