package com.example.crm.webhooks.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ParsedSqlStatements} against camel-sql's default strategy, statement by statement, in the
 * form camel-sql hands them over (its {@code :#} already turned into {@code :?}). Every statement
 * the routes use is compared in {@link RouteSqlStatementsTest}.
 */
class ParsedSqlStatementsTest {

    private static CamelContext camelContext;

    private final ParsedSqlStatements statements = new ParsedSqlStatements();
    private final StrategyComparison comparison = new StrategyComparison(statements);

    @BeforeAll
    static void startCamel() {
        camelContext = new DefaultCamelContext();
        camelContext.start();
    }

    @AfterAll
    static void stopCamel() {
        camelContext.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "insert into messages (contact_id, body, payload) values (:?contactId, :?body, cast(:?payload as jsonb)) on conflict do nothing",
        "select contact_id from contacts where phone_digits(mobile) = any(:?senderDigitForms) union all "
                + "select id from contacts where phone_digits(phone) = any(:?senderDigitForms)",
        "update jobs set outcome = coalesce(cast(:?${variable.outcome} as text), 'enriched'), last_error = :?${variable.note} "
                + "where id = :?${variable.job[id]} and lease_owner = :?${variable.job[lease_owner]}",
        "update t set a = :?$simple{header.a}, b = :?${exchangeProperty.b}, c = :?c",
        "select * from t where id = :?${variable.job[${header.key}]} and x = :?x",
        "select * from t where id in (:?in:ids) and state = :?state",
        "select * from t where id in (:?in:${header.ids})",
        "select :?a::jsonb, '::text' as literal, :?b",
        "select 1",
        "insert into t (a, b) values (?, ?)",
        "select * from t where a = ?",
    })
    void readsAndBindsAsTheDefaultDoes(String query) throws Exception {
        long placeholders = query.chars().filter(c -> c == '?').count();
        comparison.assertSameEveryWay(query, (int) placeholders, camelContext);
        comparison.assertSameEveryWay(query, (int) placeholders + 1, camelContext);
    }

    @Test
    void statementsPastTheCacheAreStillReadRight() throws Exception {
        for (int i = 0; i < ParsedSqlStatements.MAX_STATEMENTS + 20; i++) {
            comparison.assertSameEveryWay("update t" + i + " set a = :?a, b = :?b where id = :?id", 3, camelContext);
        }
    }

    @Test
    void eachExchangeGetsItsOwnValuesUnderConcurrentUse() throws Exception {
        String query = "insert into t (a, b) values (:?a, :?b)";
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(threads.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        Exchange exchange = new DefaultExchange(camelContext);
                        Map<String, Object> body = new HashMap<>();
                        body.put("a", thread + "-" + i);
                        exchange.getIn().setHeader("b", i);
                        exchange.getIn().setBody(body);
                        assertThat(statements.prepareQuery(query, true, exchange)).isEqualTo("insert into t (a, b) values (?, ?)");
                        Iterator<?> values = statements.createPopulateIterator(query, null, 2, exchange, body);
                        assertThat(values.next()).isEqualTo(thread + "-" + i);
                        assertThat(values.next()).isEqualTo(i);
                        assertThat(values.hasNext()).isFalse();
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
