package com.example.crm.webhooks.database;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeExchangeException;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.apache.camel.component.sql.SqlHelper;

/**
 * camel-sql's own rules for {@code :#name} statements, with each statement read once: the default
 * strategy finds the statement's parameters with regular expressions and rewrites it to JDBC's
 * {@code ?} on every exchange, then converts the body to a Map twice per parameter. This one keeps,
 * per statement text, what the default derives from the text alone (the JDBC statement, the names
 * in order) and looks each name up in the body Map, the headers, then the variables, as the
 * default does.
 *
 * <p>Everything else is the default's own code: a statement with {@code :#in:} (the JDBC statement
 * depends on the values), parameters written as expressions ({@code :#${...}}), a body that is not
 * a Map, statements without names, and binding the values to the JDBC statement.
 */
public class ParsedSqlStatements extends DefaultSqlPrepareStatementStrategy {

    /** Statements kept; past this (only SQL sent in a header could vary so much) each is read per use. */
    static final int MAX_STATEMENTS = 256;

    // The default's parameter syntax (after camel-sql has turned :# into :?), copied from its
    // NamedQueryParser: a name, :?in:name, or an expression ${...} / $simple{...}.
    private static final Pattern NAME =
            Pattern.compile("\\:\\?((in\\:(\\w+|\\$\\{[^\\}]+\\}|\\$simple\\{[^\\}]+\\}))|(\\w+|\\$\\{[^\\}]+\\}|\\$simple\\{[^\\}]+\\}))",
                    Pattern.MULTILINE);
    private static final String MISSING =
            "Cannot find key [%s] in message body or headers to use when setting named parameter in query [%s]";

    private final Map<String, Statement> statements = new ConcurrentHashMap<>();
    /** Rewrites a statement to JDBC's ? when it is first read (not this class: its name check reads the cache). */
    private final DefaultSqlPrepareStatementStrategy rewrite = new DefaultSqlPrepareStatementStrategy();

    /** What the default strategy derives from a statement's text. */
    private record Statement(boolean named, boolean in, String jdbcSql, List<String> names, boolean[] expressions) {
    }

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters, Exchange exchange) throws SQLException {
        Statement statement = allowNamedParameters ? statement(query) : null;
        return statement == null || statement.in() || !statement.named()
                ? super.prepareQuery(query, allowNamedParameters, exchange)
                : statement.jdbcSql();
    }

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams,
            Exchange exchange, Object value) throws SQLException {
        Statement statement = statement(query);
        if (!statement.named() || statement.in() || !(value instanceof Map<?, ?> body)) {
            return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
        }
        return new Values(statement, query, exchange, body);
    }

    @Override
    protected boolean hasNamedParameters(String query) {
        return statement(query).named();
    }

    private Statement statement(String query) {
        Statement statement = statements.get(query);
        if (statement == null) {
            statement = read(query);
            if (statements.size() < MAX_STATEMENTS) {
                statements.putIfAbsent(query, statement);
            }
        }
        return statement;
    }

    private Statement read(String query) {
        List<String> names = new ArrayList<>();
        Matcher matcher = NAME.matcher(query);
        while (matcher.find()) {
            names.add(name(query, matcher));
        }
        boolean named = !names.isEmpty();
        boolean in = query.contains(":?in:");
        boolean[] expressions = new boolean[names.size()];
        for (int i = 0; i < expressions.length; i++) {
            expressions[i] = isExpression(names.get(i));
        }
        String jdbcSql = null;
        if (named && !in) {
            try {
                // Without :?in: the default's rewrite does not look at the exchange.
                jdbcSql = rewrite.prepareQuery(query, true, null);
            } catch (SQLException cannotHappen) {
                throw new IllegalStateException(cannotHappen);
            }
        }
        return new Statement(named, in, jdbcSql, List.copyOf(names), expressions);
    }

    /** The parameter the match found; a nested ${a[${b}]} is cut short by the pattern and completed here, as the default does. */
    private static String name(String query, Matcher matcher) {
        String name = matcher.group(1);
        int open = 0;
        int close = 0;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '{') {
                open++;
            } else if (name.charAt(i) == '}') {
                close++;
            }
        }
        if (open == close) {
            return name;
        }
        String rest = query.substring(matcher.start());
        int from = rest.indexOf('{');
        int depth = 0;
        for (int i = from; i < rest.length(); i++) {
            if (rest.charAt(i) == '{') {
                depth++;
            } else if (rest.charAt(i) == '}' && --depth == 0) {
                return "$" + rest.substring(from, i + 1);
            }
        }
        throw new IllegalArgumentException("String doesn't have equal opening and closing brackets: " + rest);
    }

    private static boolean isExpression(String name) {
        return (name.startsWith("$simple{") || name.startsWith("${")) && name.endsWith("}");
    }

    /** The values in the statement's order, each looked up when the default would look it up. */
    private static final class Values implements Iterator<Object> {
        private final Statement statement;
        private final String query;
        private final Exchange exchange;
        private final Map<?, ?> body;
        private int next;

        Values(Statement statement, String query, Exchange exchange, Map<?, ?> body) {
            this.statement = statement;
            this.query = query;
            this.exchange = exchange;
            this.body = body;
        }

        @Override
        public boolean hasNext() {
            return next < statement.names().size();
        }

        @Override
        public Object next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int index = next++;
            String name = statement.names().get(index);
            if (statement.expressions()[index]) {
                // The default's own evaluation: on a copy of the exchange, with this body.
                return SqlHelper.lookupParameter(name, exchange, body);
            }
            if (body.containsKey(name)) {
                return body.get(name);
            }
            Map<String, Object> headers = exchange.getIn().getHeaders();
            if (headers.containsKey(name)) {
                return headers.get(name);
            }
            Map<String, Object> variables = exchange.getVariables();
            if (variables != null && variables.containsKey(name)) {
                return variables.get(name);
            }
            throw new RuntimeExchangeException(String.format(MISSING, name, query), exchange);
        }
    }
}
