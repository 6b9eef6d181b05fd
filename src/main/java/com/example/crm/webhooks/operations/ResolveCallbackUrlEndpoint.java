package com.example.crm.webhooks.operations;

import com.example.crm.webhooks.reversecontact.EntityType;
import com.example.crm.webhooks.reversecontact.ResolveCallbacks;
import com.example.crm.webhooks.reversecontact.ReverseContactCallbackVerifier;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.stereotype.Component;

/**
 * {@code GET /actuator/resolvecallbackurl?type=person&id=p-1} on the management port (HTTP Basic,
 * see {@link ManagementSecurity}): the webhookUrl to give Reverse Contact for one entity's resolve
 * lookup, {@code {"url": "<PUBLIC_BASE_URL>/api/webhooks/reversecontact/resolve?type=person&id=p-1&sig=...", "signed": true}},
 * its values query-encoded. The operator gets the URL, never the secret. Without
 * REVERSECONTACT_CALLBACK_SECRET the URL has no sig ({@code "signed": false}); without
 * PUBLIC_BASE_URL there is no URL to give (500, saying so).
 */
@Component
@WebEndpoint(id = "resolvecallbackurl")
public class ResolveCallbackUrlEndpoint {

    static final String RESOLVE_PATH = "/api/webhooks/reversecontact/resolve";

    private final ReverseContactCallbackVerifier callbacks;
    private final String publicBaseUrl;

    public ResolveCallbackUrlEndpoint(ReverseContactCallbackVerifier callbacks,
                                      @Value("${webhooks.public-base-url:}") String publicBaseUrl) {
        this.callbacks = callbacks;
        this.publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl.strip().replaceAll("/+$", "");
    }

    @ReadOperation
    public WebEndpointResponse<Map<String, Object>> url(String type, String id) {
        if (EntityType.fromCode(type).isEmpty()) {
            return error(400, "type must be company, contact or person");
        }
        if (id.isBlank() || id.length() > ResolveCallbacks.MAX_ID_LENGTH) {
            return error(400, "id must be 1 to " + ResolveCallbacks.MAX_ID_LENGTH + " characters");
        }
        if (publicBaseUrl.isEmpty()) {
            return error(500, "PUBLIC_BASE_URL is not set: there is no public URL to give");
        }
        StringBuilder url = new StringBuilder(publicBaseUrl).append(RESOLVE_PATH)
                .append("?type=").append(encoded(type)).append("&id=").append(encoded(id));
        if (callbacks.required()) {
            url.append('&').append(ReverseContactCallbackVerifier.SIGNATURE_PARAMETER).append('=')
                    .append(callbacks.signature(type, id)); // base64url: nothing to encode
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("url", url.toString());
        answer.put("signed", callbacks.required());
        return new WebEndpointResponse<>(answer);
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static WebEndpointResponse<Map<String, Object>> error(int status, String message) {
        return new WebEndpointResponse<>(Map.of("error", message), status);
    }
}
