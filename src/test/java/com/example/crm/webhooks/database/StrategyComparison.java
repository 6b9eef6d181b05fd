package com.example.crm.webhooks.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.reflect.Array;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.Exchange;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.apache.camel.component.sql.SqlPrepareStatementStrategy;

/**
 * Runs a statement through camel-sql's default strategy and {@link ParsedSqlStatements} on the same
 * exchange and compares what reaches JDBC: the SQL text and every call that binds a parameter.
 */
final class StrategyComparison {

    private final SqlPrepareStatementStrategy expected = new DefaultSqlPrepareStatementStrategy();
    private final SqlPrepareStatementStrategy actual;

    StrategyComparison(SqlPrepareStatementStrategy actual) {
        this.actual = actual;
    }

    /**
     * Compares the two on the statement's parameters given every way camel-sql takes them: all in
     * the body Map; spread over the body, the headers and the variables; one missing; a body that
     * is no Map. Expressions ({@code :#${variable.job[id]}}) read variables and headers that have
     * every key.
     */
    void assertSameEveryWay(String query, int expectedParams, CamelContext camelContext) throws Exception {
        List<String> names = new ArrayList<>();
        Matcher name = PLAIN_NAME.matcher(query);
        while (name.find()) {
            if (!names.contains(name.group(1))) {
                names.add(name.group(1));
            }
        }
        for (int spread = 0; spread < 2; spread++) {
            for (int missing = -1; missing < names.size(); missing++) {
                Exchange exchange = withExpressionRoots(query, new DefaultExchange(camelContext));
                Map<String, Object> body = new HashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    if (i == missing) {
                        continue;
                    }
                    Object value = VALUES.get((i + spread) % VALUES.size());
                    switch (spread == 0 ? 0 : i % 3) {
                        case 0 -> body.put(names.get(i), value);
                        case 1 -> exchange.getIn().setHeader(names.get(i), value);
                        default -> exchange.setVariable(names.get(i), value);
                    }
                }
                exchange.getIn().setBody(body);
                assertSame(query, expectedParams, exchange);
            }
        }
        for (Object notAMap : Arrays.asList("a,'b,c',d", null, List.of(1, 2, 3))) {
            Exchange exchange = withExpressionRoots(query, new DefaultExchange(camelContext));
            for (String each : names) {
                exchange.getIn().setHeader(each, "header " + each);
            }
            exchange.getIn().setBody(notAMap);
            assertSame(query, expectedParams, exchange);
        }
    }

    private static final Pattern PLAIN_NAME = Pattern.compile(":\\?(?:in:)?(\\w+)");
    private static final Pattern EXPRESSION_ROOT = Pattern.compile("\\$(?:simple)?\\{(variable|header|exchangeProperty)\\.(\\w+)");
    private static final List<Object> VALUES = Arrays.asList("text", 42L, null, new String[] {"61400111222", "0400111222"},
            7, OffsetDateTime.parse("2026-11-30T09:00:00Z"), List.of("a", "b"));

    private static Exchange withExpressionRoots(String query, Exchange exchange) {
        Matcher root = EXPRESSION_ROOT.matcher(query);
        while (root.find()) {
            AnyKey value = new AnyKey(root.group(2));
            switch (root.group(1)) {
                case "variable" -> exchange.setVariable(root.group(2), value);
                case "header" -> exchange.getIn().setHeader(root.group(2), value);
                default -> exchange.setProperty(root.group(2), value);
            }
        }
        return exchange;
    }

    /** Both strategies give the same JDBC statement and bind the same values the same way, or fail alike. */
    void assertSame(String query, int expectedParams, Exchange exchange) throws Exception {
        Object body = exchange.getIn().getBody();
        Outcome byDefault = run(expected, query, expectedParams, exchange, body);
        Outcome byParsed = run(actual, query, expectedParams, exchange, body);
        assertThat(byParsed.sql).as("JDBC statement of %s", query).isEqualTo(byDefault.sql);
        assertThat(byParsed.failure).as("failure binding %s", query).isEqualTo(byDefault.failure);
        assertThat(byParsed.calls).as("calls binding %s", query).isEqualTo(byDefault.calls);
    }

    private static Outcome run(SqlPrepareStatementStrategy strategy, String query, int expectedParams, Exchange exchange,
            Object body) throws Exception {
        String sql = strategy.prepareQuery(query, true, exchange);
        List<String> calls = new ArrayList<>();
        Throwable failure = catchThrowable(() -> {
            Iterator<?> values = strategy.createPopulateIterator(query, sql, expectedParams, exchange, body);
            strategy.populateStatement(recording(calls), values, expectedParams);
        });
        return new Outcome(sql, calls, failure == null ? null : failure.getClass().getName() + ": " + failure.getMessage());
    }

    private record Outcome(String sql, List<String> calls, String failure) {
    }

    /** A PreparedStatement that records each set* call (as a PostgreSQL driver's would be made). */
    private static PreparedStatement recording(List<String> calls) {
        DatabaseMetaData metaData = proxy(DatabaseMetaData.class, (method, args) -> switch (method) {
            case "getDriverName" -> "PostgreSQL JDBC Driver";
            case "getDatabaseProductName" -> "PostgreSQL";
            default -> null;
        });
        Connection connection = proxy(Connection.class, (method, args) -> "getMetaData".equals(method) ? metaData : null);
        return proxy(PreparedStatement.class, (method, args) -> {
            if (method.startsWith("set")) {
                calls.add(method + Arrays.deepToString(Arrays.stream(args).map(StrategyComparison::shown).toArray()));
                return null;
            }
            return "getConnection".equals(method) ? connection : null;
        });
    }

    private static Object shown(Object value) {
        if (value != null && value.getClass().isArray()) {
            Object[] elements = new Object[Array.getLength(value)];
            Arrays.setAll(elements, i -> shown(Array.get(value, i)));
            return value.getClass().getSimpleName() + Arrays.deepToString(elements);
        }
        return value == null ? null : value.getClass().getSimpleName() + ":" + value;
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            Object result = answer.answer(method.getName(), args == null ? new Object[0] : args);
            if (result == null && method.getReturnType().isPrimitive()) {
                return method.getReturnType() == boolean.class ? false : 0;
            }
            return result;
        });
    }

    /** A map with every key: what a variable or header an expression reads (${variable.job[id]}) is given. */
    static final class AnyKey extends AbstractMap<String, Object> {
        private final String name;

        AnyKey(String name) {
            this.name = name;
        }

        @Override
        public boolean containsKey(Object key) {
            return true;
        }

        @Override
        public Object get(Object key) {
            return name + "[" + key + "]";
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return Set.of();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
