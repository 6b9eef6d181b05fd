package com.example.crm.webhooks.operations;

import java.lang.management.ManagementFactory;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jmx.export.MBeanExporter;
import org.springframework.jmx.export.annotation.AnnotationJmxAttributeSource;
import org.springframework.jmx.export.assembler.MetadataMBeanInfoAssembler;

/**
 * An operator's MBean of this service in the console ({@link DeadLettersMBean},
 * {@link RefusedDeliveriesMBean}): registered as {@code com.example.crm.webhooks:type=<type>,context=<Camel
 * context name>}, its {@code @ManagedOperation}s exported, so several copies of the service in one JVM
 * (the tests) never clash. It registers itself: Spring Boot's exporter (spring.jmx.enabled) would export
 * every MBean-like bean.
 */
abstract class ConsoleMBean implements InitializingBean, DisposableBean {

    private final ObjectName name;
    private final MBeanExporter exporter = new MBeanExporter();

    ConsoleMBean(String type, CamelContext camelContext) throws MalformedObjectNameException {
        this.name = new ObjectName("com.example.crm.webhooks:type=" + type + ",context=" + ObjectName.quote(camelContext.getName()));
        exporter.setServer(ManagementFactory.getPlatformMBeanServer());
        exporter.setAssembler(new MetadataMBeanInfoAssembler(new AnnotationJmxAttributeSource()));
    }

    @Override
    public void afterPropertiesSet() {
        exporter.registerManagedResource(this, name);
    }

    @Override
    public void destroy() {
        exporter.unregisterManagedResource(name);
    }
}
