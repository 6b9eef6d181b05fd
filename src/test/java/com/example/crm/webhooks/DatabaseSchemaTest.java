package com.example.crm.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseSchemaTest extends WebhookServiceTest {

    @Test
    void flywayCreatedEveryTableTheCrmReliesOn() {
        assertThat(db.tables()).contains(
                "people", "companies", "contacts", "contact_relationship_profiles", "person_change_alerts",
                "messages", "message_status_events", "enrichment_jobs", "dead_letters");
        Integer failed = jdbc.queryForObject("select count(*) from flyway_schema_history where not success", Integer.class);
        assertThat(failed).isZero();
    }

    @Test
    void theFixedColumnNamesExist() {
        Map<String, List<String>> required = Map.of(
                "people", List.of("id", "first_name", "last_name", "email", "linkedin_url", "alert_subscription_id"),
                "companies", List.of("id", "name", "linkedin_url", "description", "specialties", "logo_key"),
                "contacts", List.of("id", "company_id", "first_name", "last_name", "email", "phone", "mobile",
                        "linkedin_url", "headline", "profile_picture_key"),
                "contact_relationship_profiles", List.of("contact_id", "phone_number", "whatsapp_number"),
                "person_change_alerts", List.of("id", "person_id", "subscription_id", "diff"),
                "messages", List.of("id", "contact_id", "direction", "channel", "twilio_sid", "from_number",
                        "to_number", "body", "status", "error_code"),
                "message_status_events", List.of("id", "twilio_sid", "status", "error_code"));
        required.forEach((table, columns) -> assertThat(columnsOf(table)).as(table).containsAll(columns));
    }

    /** The CRM writes these tables with plain SQL too: a row needs nothing but its id. */
    @Test
    void everyTableTheCrmWritesTakesARowWithOnlyItsId() {
        for (String table : List.of("people", "companies", "contacts", "contact_relationship_profiles", "messages",
                "message_status_events", "person_change_alerts", "dead_letters")) {
            jdbc.update("insert into " + table + " (id) values (?)", "only-id-" + table);
            assertThat(db.count(table)).as(table).isEqualTo(1);
        }
    }

    /** The service alone writes enrichment jobs: one without its entity or URL could never run, so none is stored. */
    @Test
    void anEnrichmentJobNeedsItsEntityAndUrl() {
        for (String job : List.of("(null, 'p-1', 'https://www.linkedin.com/in/p-1')",
                "('person', null, 'https://www.linkedin.com/in/p-1')", "('person', 'p-1', null)")) {
            assertThatThrownBy(() -> jdbc.update("insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values " + job))
                    .as(job).isInstanceOf(DataIntegrityViolationException.class);
        }
        assertThat(db.count("enrichment_jobs")).isZero();
    }

    @Test
    void idsAreText() {
        List<String> nonTextIds = jdbc.queryForList("""
                select table_name from information_schema.columns
                where table_schema = 'public' and column_name = 'id' and data_type <> 'text'""", String.class);
        assertThat(nonTextIds).isEmpty();
    }

    @Test
    void alertSubscriptionIdsAndTwilioSidsAreUnique() {
        jdbc.update("insert into people (id, alert_subscription_id) values ('p1', 'sub-1')");
        assertThatThrownBy(() -> jdbc.update("insert into people (id, alert_subscription_id) values ('p2', 'sub-1')"))
                .isInstanceOf(DuplicateKeyException.class);
        jdbc.update("insert into messages (id, twilio_sid) values ('m1', 'SM1')");
        assertThatThrownBy(() -> jdbc.update("insert into messages (id, twilio_sid) values ('m2', 'SM1')"))
                .isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void aMessageIsSentBySmsWhatsAppOrRcs() {
        for (String channel : List.of("sms", "whatsapp", "rcs")) {
            jdbc.update("insert into messages (channel) values (?)", channel);
        }
        assertThatThrownBy(() -> jdbc.update("insert into messages (channel) values ('fax')"))
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(db.count("messages")).isEqualTo(3);
    }

    private List<String> columnsOf(String table) {
        return jdbc.queryForList("""
                select column_name from information_schema.columns
                where table_schema = 'public' and table_name = ?""", String.class, table);
    }
}
