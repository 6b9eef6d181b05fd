package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.example.crm.webhooks.edge.LogDeliveryId;
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
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reads an inbound SMS, WhatsApp or RCS message from Twilio into the columns of its messages row,
 * and picks the contact its sender is among the candidates the route's lookup found
 * (routes/twilio-inbound.camel.yaml stores it, once per MessageSid).
 *
 * <p>{@code From} and {@code To} of a WhatsApp message read {@code whatsapp:+61412345678}, of an RCS
 * message {@code rcs:+61412345678} and {@code rcs:<agent id>}: the prefix names the channel
 * ({@code sms} without one) and is stripped from both before they are matched and stored. Media
 * come from every {@code MediaUrlN} and {@code MediaContentTypeN} sent, in the order of N, as
 * {@code [{"url", "contentType"}]}; {@code num_media} is {@code NumMedia} when it is a whole number,
 * else the number of media sent. The whole form is kept as {@code payload}, as a status callback's
 * is: Twilio adds fields without notice (a WhatsApp profile name, a shared location, a tapped button).
 * {@code copyMedia} says whether the store statement queues a copy job per media item
 * ({@link TwilioMediaCopies}: while Twilio credentials are set).
 */
@Component("twilioInboundMessages")
public class TwilioInboundMessages {

    private static final Logger log = LoggerFactory.getLogger(TwilioInboundMessages.class);
    /** Twilio sends at most ten media; four digits leave room without letting N be anything. */
    private static final Pattern MEDIA_FIELD = Pattern.compile("(MediaUrl|MediaContentType)(0|[1-9][0-9]{0,3})");

    private final ContactPhoneMatcher contactPhoneMatcher;
    private final ObjectMapper objectMapper;
    private final TwilioMediaCopies mediaCopies;

    public TwilioInboundMessages(ContactPhoneMatcher contactPhoneMatcher, ObjectMapper objectMapper, TwilioMediaCopies mediaCopies) {
        this.contactPhoneMatcher = contactPhoneMatcher;
        this.objectMapper = objectMapper;
        this.mediaCopies = mediaCopies;
    }

    /**
     * The messages row of a delivery, without its contact yet, with what the sender lookup needs
     * ({@code senderDigitForms}) and the MessageSid again as the delivery's id. 400 when From, To
     * or MessageSid is missing.
     */
    public Map<String, Object> read(WebhookDelivery delivery) throws JsonProcessingException {
        TwilioForm form = TwilioForm.of(delivery);
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
        Channel channel = Channel.of(from, to);
        ArrayNode media = media(form);
        String fromNumber = channel.withoutPrefix(from, "From");

        Map<String, Object> message = new HashMap<>();
        message.put(LogDeliveryId.KEY, messageSid);
        message.put("messageSid", messageSid);
        message.put("channel", channel.column);
        message.put("fromNumber", fromNumber);
        message.put("toNumber", channel.withoutPrefix(to, "To"));
        message.put("body", form.value("Body").orElse(null));
        message.put("numMedia", numMedia(form, media.size()));
        message.put("media", objectMapper.writeValueAsString(media));
        message.put("payload", objectMapper.writeValueAsString(form.asPayload()));
        message.put("senderDigitForms", contactPhoneMatcher.digitForms(fromNumber));
        message.put("receivedAt", form.receivedAtUtc());
        message.put("contactId", null);
        // Each media item gets a copy job, stored with the message, while Twilio credentials are set.
        message.put("copyMedia", mediaCopies.copyEnabled());
        return message;
    }

    /**
     * Sets {@code contactId} to the contact the sender's number belongs to, among the candidate rows
     * the route's lookup found (the variable {@code senderContacts}); left null when there is none.
     * Bound by annotation, not by a method expression: one fewer expression parsed per message.
     */
    public Map<String, Object> matchSender(Map<String, Object> message,
                                           @Variable("senderContacts") List<Map<String, Object>> candidates) {
        boolean whatsApp = Channel.WHATSAPP.column.equals(message.get("channel"));
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

    /**
     * The channel a message came by, named by the prefix of its {@code From} and {@code To}: Twilio
     * writes it on both, one is enough; two different ones are a 400.
     */
    private enum Channel {
        SMS("sms", ""),
        WHATSAPP("whatsapp", "whatsapp:"),
        RCS("rcs", "rcs:");

        /** The value of {@code messages.channel}. */
        final String column;
        final String prefix;

        Channel(String column, String prefix) {
            this.column = column;
            this.prefix = prefix;
        }

        static Channel of(String from, String to) {
            Channel byFrom = prefixOf(from);
            Channel byTo = prefixOf(to);
            if (byFrom != SMS && byTo != SMS && byFrom != byTo) {
                throw WebhookRejection.badRequest("From and To name different channels");
            }
            return byFrom != SMS ? byFrom : byTo;
        }

        private static Channel prefixOf(String number) {
            for (Channel channel : List.of(WHATSAPP, RCS)) {
                if (number.regionMatches(true, 0, channel.prefix, 0, channel.prefix.length())) {
                    return channel;
                }
            }
            return SMS;
        }

        /** {@code number} without this channel's prefix; 400 when nothing is left. */
        String withoutPrefix(String number, String field) {
            if (prefixOf(number) != this) {
                return number;
            }
            String stripped = number.substring(prefix.length()).strip();
            if (stripped.isEmpty()) {
                throw WebhookRejection.badRequest(field + " is required");
            }
            return stripped;
        }
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
