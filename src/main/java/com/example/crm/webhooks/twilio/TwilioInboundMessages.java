package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.http.WebhookRejection;
import com.example.crm.webhooks.http.LogDeliveryId;
import com.example.crm.webhooks.phone.ContactPhoneMatcher;
import com.example.crm.webhooks.phone.ContactPhoneMatcher.ContactMatch;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reads an inbound SMS or WhatsApp message from Twilio into the columns of its messages row, and
 * picks the contact its sender is among the candidates the route's lookup found
 * (routes/twilio-inbound.camel.yaml stores it, once per MessageSid).
 *
 * <p>{@code From} and {@code To} of a WhatsApp message read {@code whatsapp:+61412345678}: the
 * prefix makes the channel {@code whatsapp} (else {@code sms}) and is stripped from both numbers
 * before they are matched and stored. Media come from every {@code MediaUrlN} and
 * {@code MediaContentTypeN} sent, in the order of N, as {@code [{"url", "contentType"}]};
 * {@code num_media} is {@code NumMedia} when it is a whole number, else the number of media sent.
 * The whole form is kept as {@code payload}, as a status callback's is: Twilio adds fields without
 * notice (a WhatsApp profile name, a shared location, a tapped button).
 */
@Component("twilioInboundMessages")
public class TwilioInboundMessages {

    private static final Logger log = LoggerFactory.getLogger(TwilioInboundMessages.class);
    private static final String WHATSAPP_PREFIX = "whatsapp:";
    /** Twilio sends at most ten media; four digits leave room without letting N be anything. */
    private static final Pattern MEDIA_FIELD = Pattern.compile("(MediaUrl|MediaContentType)(0|[1-9][0-9]{0,3})");

    private final ContactPhoneMatcher contactPhoneMatcher;
    private final ObjectMapper objectMapper;

    public TwilioInboundMessages(ContactPhoneMatcher contactPhoneMatcher, ObjectMapper objectMapper) {
        this.contactPhoneMatcher = contactPhoneMatcher;
        this.objectMapper = objectMapper;
    }

    /**
     * The messages row, without its contact yet, with what the sender lookup needs
     * ({@code senderDigitForms}) and the MessageSid again as the delivery's id. 400 when From, To
     * or MessageSid is missing.
     */
    public Map<String, Object> read(TwilioForm form) throws JsonProcessingException {
        String messageSid = form.required("MessageSid");
        try {
            return read(form, messageSid);
        } catch (WebhookRejection refused) {
            throw refused.about(messageSid);
        }
    }

    private Map<String, Object> read(TwilioForm form, String messageSid) throws JsonProcessingException {
        String from = form.required("From");
        String to = form.required("To");
        boolean whatsApp = hasWhatsAppPrefix(from) || hasWhatsAppPrefix(to);
        ArrayNode media = media(form);
        String fromNumber = withoutWhatsAppPrefix(from, "From");

        Map<String, Object> message = new HashMap<>();
        message.put(LogDeliveryId.KEY, messageSid);
        message.put("messageSid", messageSid);
        message.put("channel", whatsApp ? "whatsapp" : "sms");
        message.put("fromNumber", fromNumber);
        message.put("toNumber", withoutWhatsAppPrefix(to, "To"));
        message.put("body", form.value("Body").orElse(null));
        message.put("numMedia", numMedia(form, media.size()));
        message.put("media", objectMapper.writeValueAsString(media));
        message.put("payload", objectMapper.writeValueAsString(form.asPayload()));
        message.put("senderDigitForms", contactPhoneMatcher.digitForms(fromNumber));
        message.put("receivedAt", form.receivedAtUtc());
        message.put("contactId", null);
        return message;
    }

    /**
     * Sets {@code contactId} to the contact the sender's number belongs to, among the candidate rows
     * the route's lookup found; left null when there is none.
     */
    public Map<String, Object> matchSender(Map<String, Object> message, List<Map<String, Object>> candidates) {
        boolean whatsApp = "whatsapp".equals(message.get("channel"));
        String sender = contactPhoneMatcher.e164((String) message.get("fromNumber"));
        Optional<ContactMatch> match = contactPhoneMatcher.pick(sender, candidates, whatsApp);
        match.ifPresent(m -> {
            message.put("contactId", m.contactId());
            if (!m.otherContactIds().isEmpty()) {
                log.info("Inbound message {}: the sender's number belongs to {} contacts; picked {} ({}) over {}",
                        message.get("messageSid"), m.otherContactIds().size() + 1, m.contactId(), m.column(),
                        m.otherContactIds());
            }
        });
        if (match.isEmpty()) {
            log.debug("Inbound message {}: no contact has the sender's number", message.get("messageSid"));
        }
        return message;
    }

    private static boolean hasWhatsAppPrefix(String number) {
        return number.regionMatches(true, 0, WHATSAPP_PREFIX, 0, WHATSAPP_PREFIX.length());
    }

    private static String withoutWhatsAppPrefix(String number, String field) {
        if (!hasWhatsAppPrefix(number)) {
            return number;
        }
        String stripped = number.substring(WHATSAPP_PREFIX.length()).strip();
        if (stripped.isEmpty()) {
            throw WebhookRejection.badRequest(field + " is required");
        }
        return stripped;
    }

    private ArrayNode media(TwilioForm form) {
        TreeMap<Integer, ObjectNode> byIndex = new TreeMap<>();
        form.parameters().forEach((name, values) -> {
            Matcher field = MEDIA_FIELD.matcher(name);
            if (field.matches()) {
                String key = field.group(1).equals("MediaUrl") ? "url" : "contentType";
                byIndex.computeIfAbsent(Integer.parseInt(field.group(2)),
                                n -> objectMapper.createObjectNode().putNull("url").putNull("contentType"))
                        .put(key, values.get(0));
            }
        });
        return objectMapper.createArrayNode().addAll(byIndex.values());
    }

    private static int numMedia(TwilioForm form, int mediaSent) {
        return form.nonBlank("NumMedia").filter(n -> n.matches("[0-9]{1,4}")).map(Integer::parseInt).orElse(mediaSent);
    }
}
