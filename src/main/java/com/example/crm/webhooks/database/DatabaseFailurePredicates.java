package com.example.crm.webhooks.database;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link DatabaseFailures} as Camel predicates on the failure being handled: for Java DSL error
 * handling, and as beans a route's {@code doCatch} names with the {@code ref} language,
 * {@code onWhen: {ref: databaseUnavailable}}. (A {@code method} call would not do: Camel invokes a
 * bean method on a copy of the exchange that carries no exception.)
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseFailurePredicates {

    /** The failure being handled means the database could not be reached. */
    public static final Predicate UNAVAILABLE = exchange -> DatabaseFailures.isUnavailable(failure(exchange));

    /** The failure being handled means the database refused the values themselves. */
    public static final Predicate REFUSED_VALUES = exchange -> DatabaseFailures.isRefusedValue(failure(exchange));

    @Bean
    Predicate databaseUnavailable() {
        return UNAVAILABLE;
    }

    @Bean
    Predicate databaseRefusedValues() {
        return REFUSED_VALUES;
    }

    /** The failure being handled: still on the exchange while Camel picks a clause, caught once it runs one. */
    private static Throwable failure(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }
}
