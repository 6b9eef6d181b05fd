package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.edge.LogDeliveryId;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Reads a Twilio message status callback into the parameters of its {@code message_status_events}
 * row (routes/twilio-message-status.camel.yaml stores it): the message sid, its status, the error
 * code if any, and the whole callback as JSON.
 */
@Component("twilioStatusCallbacks")
public class TwilioStatusCallbacks {

    private final ObjectMapper objectMapper;

    public TwilioStatusCallbacks(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    /**
     * {@code messageSid}, {@code status}, {@code errorCode} (null when absent), {@code payload},
     * {@code receivedAt}, and the MessageSid again as the delivery's id. 400 when MessageSid or MessageStatus is missing.
     */
    public Map<String, Object> read(WebhookDelivery delivery) throws JsonProcessingException {
        TwilioForm form = TwilioForm.of(delivery);
        String messageSid = form.required("MessageSid");
        Map<String, Object> callback = new HashMap<>();
        callback.put(LogDeliveryId.KEY, messageSid);
        callback.put("messageSid", messageSid);
        try {
            callback.put("status", form.required("MessageStatus"));
        } catch (WebhookRejection missing) {
            throw missing.about(messageSid);
        }
        callback.put("errorCode", form.nonBlank("ErrorCode").orElse(null));
        callback.put("payload", objectMapper.writeValueAsString(form.asPayload()));
        callback.put("receivedAt", form.receivedAtUtc());
        return callback;
    }
}
