package com.example.crm.webhooks;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The CRM's public webhook receiver: Reverse Contact and Twilio call it, it stores what they
 * send in PostgreSQL and enriches people, contacts and companies in the background.
 * The routes themselves are YAML files in {@code routes/}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WebhookServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebhookServiceApplication.class, args);
    }
}
