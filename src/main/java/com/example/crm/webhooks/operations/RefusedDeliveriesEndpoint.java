package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.operations.RefusedDeliveryReplay.Filter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/refused} on the management port (HTTP Basic, see {@link ManagementSecurity}): the
 * deliveries webhooks refused, kept for replay (docs/refused-deliveries.md).
 * <ul>
 *   <li>GET: newest first; filters {@code webhook}, {@code reason}, {@code since}, {@code until}
 *       (ISO-8601); paged by {@code limit} (default 50, at most 500) and {@code offset}.</li>
 *   <li>GET {@code /{id}}: one, with its kept headers and body (text, or base64).</li>
 *   <li>POST {@code /{id}/replay}: replays it; POST {@code /replay} with {@code webhook}, {@code reason},
 *       {@code since}, {@code until}: replays every one they take that is not applied yet.</li>
 * </ul>
 */
@Component
@Endpoint(id = "refused")
public class RefusedDeliveriesEndpoint {

    private static final String REPLAY = "replay";

    private final RefusedDeliveryReplay refused;

    public RefusedDeliveriesEndpoint(RefusedDeliveryReplay refused) {
        this.refused = refused;
    }

    @ReadOperation
    public Map<String, Object> list(@Nullable String webhook, @Nullable String reason, @Nullable String since,
                                    @Nullable String until, @Nullable Integer limit, @Nullable Integer offset) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("limit", limit == null ? RefusedDeliveryReplay.DEFAULT_LIMIT
                : Math.max(1, Math.min(limit, RefusedDeliveryReplay.MAX_LIMIT)));
        answer.put("offset", offset == null ? 0 : Math.max(0, offset));
        answer.put("refused", refused.list(Filter.of(webhook, reason, since, until), limit, offset));
        return answer;
    }

    @ReadOperation
    public WebEndpointResponse<Map<String, Object>> get(@Selector String id) {
        return refused.get(id).map(WebEndpointResponse::new)
                .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }

    /** POST /actuator/refused/replay. */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> replayMany(@Selector String action, @Nullable String webhook,
                                                              @Nullable String reason, @Nullable String since,
                                                              @Nullable String until) {
        if (!REPLAY.equals(action)) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return new WebEndpointResponse<>(RefusedDeliveryReplay.summary(refused.replay(Filter.of(webhook, reason, since, until))));
    }

    /** POST /actuator/refused/{id}/replay. */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> replayOne(@Selector String id, @Selector String action) {
        if (!REPLAY.equals(action)) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        return refused.replay(id).map(outcome -> new WebEndpointResponse<>(RefusedDeliveryReplay.summary(List.of(outcome))))
                .orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
    }
}
