package com.example.crm.webhooks.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.List;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.component.sql.SqlHelper;
import org.junit.jupiter.api.Test;

/**
 * Every {@code sql:} endpoint of the application's routes (inline or {@code sql:classpath:}) reads
 * its statement with {@link ParsedSqlStatements}, and for each statement that gives the same JDBC
 * statement and binds the same values as camel-sql's default strategy.
 */
class RouteSqlStatementsTest extends WebhookServiceTest {

    @Test
    void everySqlEndpointReadsItsStatementOnceAndBindsItAsCamelSqlDoes() throws Exception {
        List<SqlEndpoint> endpoints = camelContext.getEndpoints().stream()
                .filter(SqlEndpoint.class::isInstance).map(SqlEndpoint.class::cast).toList();
        assertThat(endpoints).as("the routes' sql: endpoints").isNotEmpty();

        StrategyComparison comparison = new StrategyComparison(new ParsedSqlStatements());
        for (SqlEndpoint endpoint : endpoints) {
            assertThat(endpoint.getPrepareStatementStrategy()).as(endpoint.getEndpointUri())
                    .isInstanceOf(ParsedSqlStatements.class);
            // The statement as the endpoint's producer hands it to the strategy.
            String query = SqlHelper.resolveQuery(camelContext, endpoint.getQuery(),
                    endpoint.isUsePlaceholder() ? endpoint.getPlaceholder() : null);
            comparison.assertSameEveryWay(query, endpoint.getParametersCount(), camelContext);
        }
    }
}
