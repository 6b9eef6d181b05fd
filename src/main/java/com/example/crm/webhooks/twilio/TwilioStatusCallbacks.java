package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.operations.WebhookOutcomeLog;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Types;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads a Twilio message status callback (the message sid, its status, the error code if any, and
 * the whole callback as JSON) and keeps it once in message_status_events.
 */
@Component("twilioStatusCallbacks")
public class TwilioStatusCallbacks {

    /**
     * A repeat (same sid and status) inserts nothing. The insert's trigger moves the message's
     * status on by the forward-only rule (V2__twilio.sql), in the same statement.
     */
    static final String INSERT_SQL = """
            insert into message_status_events (twilio_sid, status, error_code, payload)
            values (:messageSid, :status, :errorCode, cast(:payload as jsonb))
            on conflict (twilio_sid, status) do nothing
            """;

    private final ObjectMapper objectMapper;
    private final NamedParameterJdbcTemplate jdbc;

    public TwilioStatusCallbacks(ObjectMapper objectMapper, NamedParameterJdbcTemplate jdbc) {
        this.objectMapper = objectMapper;
        this.jdbc = jdbc;
    }

    /** 400 when MessageSid or MessageStatus is missing. The MessageSid names the callback in the log line. */
    public Map<String, Object> read(TwilioForm form, Exchange exchange) throws JsonProcessingException {
        String messageSid = form.required("MessageSid");
        WebhookOutcomeLog.identify(exchange, messageSid);
        Map<String, Object> callback = new HashMap<>();
        callback.put("messageSid", messageSid);
        callback.put("status", form.required("MessageStatus"));
        callback.put("errorCode", form.nonBlank("ErrorCode").orElse(null));
        callback.put("payload", objectMapper.writeValueAsString(form.asPayload()));
        return callback;
    }

    /** Stores a callback {@link #read} gave; the rows inserted: 1, or 0 for a repeat. */
    public int store(Map<String, Object> callback) {
        MapSqlParameterSource parameters = new MapSqlParameterSource(callback);
        // Typed, so a null needs no round trip asking PostgreSQL for the parameter's type.
        parameters.registerSqlType("errorCode", Types.VARCHAR);
        return jdbc.update(INSERT_SQL, parameters);
    }
}
