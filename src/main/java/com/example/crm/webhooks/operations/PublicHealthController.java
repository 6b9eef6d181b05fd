package com.example.crm.webhooks.operations;

import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpointWebExtension;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /actuator/health} on the public port, where load balancers and README's check look for it,
 * while the actuator itself lives on the management port. The same answer as the actuator's, with
 * the same status codes (DOWN is 503) and the same hidden details. Liveness and readiness are {@code /livez} and {@code /readyz} on this port.
 */
@RestController
@ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
public class PublicHealthController {

    private final HealthEndpointWebExtension health;

    public PublicHealthController(HealthEndpointWebExtension health) {
        this.health = health;
    }

    @GetMapping(path = "/actuator/health", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<HealthComponent> health() {
        WebEndpointResponse<HealthComponent> answer = health.health(ApiVersion.V3, WebServerNamespace.SERVER, SecurityContext.NONE);
        return ResponseEntity.status(answer.getStatus()).body(answer.getBody());
    }
}
