package com.example.crm.webhooks.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.WebhookServiceTest;
import org.junit.jupiter.api.Test;

/**
 * The CRM may record many outbound messages in one transaction: the trigger that applies early
 * status callbacks must not run PostgreSQL out of lock slots (it once took a lock per sid).
 */
class MessageBulkInsertTest extends WebhookServiceTest {

    @Test
    void twentyThousandMessagesInOneTransactionTakeTheirEarlyCallbacks() {
        jdbc.update("insert into message_status_events (twilio_sid, status) values ('SMbulk19999', 'delivered')");

        int inserted = jdbc.update("""
                insert into messages (id, direction, channel, twilio_sid, status)
                select 'bulk-' || n, 'outbound', 'sms', 'SMbulk' || n, 'accepted'
                from generate_series(0, 19999) as n""");

        assertThat(inserted).isEqualTo(20_000);
        assertThat(jdbc.queryForObject("select status from messages where twilio_sid = 'SMbulk19999'", String.class))
                .isEqualTo("delivered");
        assertThat(jdbc.queryForObject("select status from messages where twilio_sid = 'SMbulk0'", String.class))
                .isEqualTo("accepted");
    }
}
