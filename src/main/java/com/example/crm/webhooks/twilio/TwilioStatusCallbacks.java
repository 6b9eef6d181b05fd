package com.example.crm.webhooks.twilio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Reads a Twilio message status callback into the parameters of the route's SQL: the message sid,
 * its status, the error code if any, and the whole callback as JSON for message_status_events.
 */
@Component("twilioStatusCallbacks")
public class TwilioStatusCallbacks {

    private final ObjectMapper objectMapper;

    public TwilioStatusCallbacks(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    /** 400 when MessageSid or MessageStatus is missing. */
    public Map<String, Object> read(TwilioForm form) throws JsonProcessingException {
        Map<String, Object> callback = new HashMap<>();
        callback.put("messageSid", form.required("MessageSid"));
        callback.put("status", form.required("MessageStatus"));
        callback.put("errorCode", form.nonBlank("ErrorCode").orElse(null));
        callback.put("payload", objectMapper.writeValueAsString(form.asPayload()));
        return callback;
    }
}
