package com.example.crm.webhooks.operations;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/** {@code /actuator/info}: which service and version runs, on which Camel, with how many routes. */
@Component
public class ServiceInfo implements InfoContributor {

    private final CamelContext camelContext;
    private final String serviceName;
    private final String serviceVersion;

    public ServiceInfo(CamelContext camelContext, @Value("${spring.application.name}") String serviceName,
                       ObjectProvider<BuildProperties> build) {
        this.camelContext = camelContext;
        this.serviceName = serviceName;
        BuildProperties properties = build.getIfAvailable();
        this.serviceVersion = properties != null ? properties.getVersion() : "development";
    }

    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail("service", Map.of("name", serviceName, "version", serviceVersion));
        Map<String, Object> camel = new LinkedHashMap<>();
        camel.put("name", camelContext.getName());
        camel.put("version", camelContext.getVersion());
        camel.put("status", camelContext.getStatus().name());
        camel.put("routes", camelContext.getRoutesSize());
        builder.withDetail("camel", camel);
    }
}
