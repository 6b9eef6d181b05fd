package com.example.crm.webhooks.phone;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.util.List;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.processor.SendProcessor;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * At 100,000 contacts and 100,000 relationship profiles the sender lookup reads the four
 * expression indexes and never scans a table. The plan is logged for the reader.
 */
class ContactPhoneLookupPlanTest extends WebhookServiceTest {

    private static final Logger log = LoggerFactory.getLogger(ContactPhoneLookupPlanTest.class);

    @Autowired
    private PhoneNumbers phoneNumbers;

    @Test
    void theLookupUsesTheIndexesAt100kContacts() throws Exception {
        // Numbers in every format the CRM may hold, none of them +61 412 345 678 but one.
        jdbc.execute("""
                insert into contacts (id, first_name, mobile, phone)
                select 'c-' || lpad(g::text, 6, '0'), 'Contact ' || g,
                       case g % 3 when 0 then '+61 4' || lpad(g::text, 8, '0')
                                  when 1 then '04' || lpad(g::text, 8, '0')
                                  else '614' || lpad(g::text, 8, '0') end,
                       '(02) ' || lpad(g::text, 8, '0')
                from generate_series(1, 100000) g""");
        jdbc.execute("""
                insert into contact_relationship_profiles (contact_id, phone_number, whatsapp_number)
                select 'c-' || lpad(g::text, 6, '0'), '+61 3 ' || lpad(g::text, 8, '0'), '+61 5' || lpad(g::text, 8, '0')
                from generate_series(1, 100000) g""");
        jdbc.update("update contacts set mobile = '0412 345 678' where id = 'c-054321'");
        jdbc.execute("analyze contacts");
        jdbc.execute("analyze contact_relationship_profiles");

        String[] digitForms = phoneNumbers.digitForms("+61412345678").toArray(String[]::new);
        // The lookup exactly as the inbound route runs it, named parameters made positional.
        String query = ((SqlEndpoint) camelContext.getProcessor("to-postgres-find-sender-contacts", SendProcessor.class)
                .getDestination()).getQuery();
        // A statement kept beside the routes (sql:classpath:...) is read as camel-sql reads it.
        String sql = query.startsWith("classpath:") ? new String(ResourceHelper.resolveMandatoryResourceAsInputStream(camelContext, query).readAllBytes(), StandardCharsets.UTF_8) : query;
        String lookup = sql.replaceAll(":[#?]senderDigitForms", "?");
        List<String> plan = jdbc.query("explain " + lookup, statement -> {
            Array forms = statement.getConnection().createArrayOf("text", digitForms);
            for (int i = 1; i <= 4; i++) {
                statement.setArray(i, forms);
            }
        }, (row, n) -> row.getString(1));
        log.info("Sender lookup plan at 100k contacts:\n{}", String.join("\n", plan));

        String text = String.join("\n", plan);
        assertThat(text).doesNotContain("Seq Scan");
        for (String index : List.of("contact_relationship_profiles_phone_number_digits",
                "contact_relationship_profiles_whatsapp_number_digits", "contacts_mobile_digits", "contacts_phone_digits")) {
            assertThat(text).containsPattern("(Index Scan using|Bitmap Index Scan on) " + index + "\\b");
        }
        var answer = new TwilioRequests(http).post(TwilioRequests.INBOUND,
                TwilioRequests.inboundMessage("SMplan0001", "+61412345678", "+61298765432", "Found?"));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select contact_id from messages where twilio_sid = 'SMplan0001'", String.class))
                .isEqualTo("c-054321");
    }
}
