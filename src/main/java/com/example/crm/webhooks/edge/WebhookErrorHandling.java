package com.example.crm.webhooks.edge;

import com.example.crm.webhooks.database.DatabaseFailurePredicates;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;

/**
 * The error handling every webhook route opts into ({@code routeConfigurationId: webhook-errors}).
 * Promise to callers: a bad request gets a 4xx and {@code {"error": "..."}}, and nothing is
 * written; a database we cannot reach gets 503 with Retry-After; values the database refuses to
 * store get 400; anything else gets 500 without internals. (A route keeps a delivery the
 * database cannot take in the intake spool itself, around its store step, and answers as on
 * success: only a delivery no spool could take reaches this configuration as a 503.) Routes throw {@link WebhookRejection}
 * for a 4xx. Camel takes the first clause whose exception type and {@code onWhen} match.
 *
 * <p>Java rather than YAML: the predicates that tell database failures apart are Java
 * ({@code database.DatabaseFailures}), and here they read as what they are. A webhook's sub-routes
 * ({@code direct:store-*}) have no error handler of their own: their failures come back to the
 * webhook route, and this configuration answers them.
 */
@Component
public class WebhookErrorHandling extends RouteConfigurationBuilder {

    public static final String ID = "webhook-errors";
    /** By name: the refused package builds on this one. */
    private static final String REFUSED_DELIVERIES = "refusedDeliveries";

    private final ErrorResponses errorResponses;

    public WebhookErrorHandling(ErrorResponses errorResponses) {
        this.errorResponses = errorResponses;
    }

    @Override
    public void configuration() {
        routeConfiguration(ID).description("Maps webhook failures to the spec's status codes and JSON error bodies")
                // 400, 403, 404, 408, 413, 415, and 500 "not configured": the status travels with the exception.
                .onException(WebhookRejection.class).id("on-webhook-rejected")
                    .handled(true)
                    // Kept for an operator to replay (refused.RefusedDeliveries, routes/refused-deliveries.camel.yaml),
                    // in an exchange of its own: the caller's answer stays this refusal whatever happens there.
                    .bean(REFUSED_DELIVERIES, "keep").id("keep-refused-delivery")
                    .process(errorResponses::rejection).id("render-rejection")
                .end()
                // The database could not take the delivery and neither could the intake spool (R2, the
                // spool directory): the one answer left that loses nothing is 503.
                .onException(SpoolUnavailableException.class).id("on-spool-unavailable")
                    .handled(true)
                    .process(errorResponses::databaseUnavailable).id("render-spool-unavailable")
                .end()
                // The database is down or restarting outside the store step a route spools around: the
                // caller comes back later (the public port adds Retry-After to every 503: PublicHttpServer).
                .onException(Exception.class).id("on-database-unavailable")
                    .onWhen(DatabaseFailurePredicates.UNAVAILABLE)
                    .handled(true)
                    .process(errorResponses::databaseUnavailable).id("render-database-unavailable")
                .end()
                // Values PostgreSQL will not store (NUL in text, say): the caller's input, so a 400.
                .onException(Exception.class).id("on-unstorable-data")
                    .onWhen(DatabaseFailurePredicates.REFUSED_VALUES)
                    .handled(true)
                    .process(errorResponses::unstorableData).id("render-unstorable-data")
                .end()
                .onException(Exception.class).id("on-unexpected-error")
                    .handled(true)
                    .process(errorResponses::internalError).id("render-internal-error")
                .end();
    }
}
