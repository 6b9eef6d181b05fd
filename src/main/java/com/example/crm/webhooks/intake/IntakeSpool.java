package com.example.crm.webhooks.intake;

import com.example.crm.webhooks.edge.Refusal;
import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.edge.WebhookRequests;
import com.example.crm.webhooks.edge.WebhookRejection;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What a spooled delivery holds, and nothing else: the route it came in on, its raw path and query
 * (less the credentials a query can carry), its raw body, the request headers that route reads
 * (content type, Twilio's signature), and when it was received. No auth token, no other header.
 * Written as one JSON document (the body in base64) with its MAC ({@link SpoolDocumentMac}), read back
 * into the same {@link WebhookDelivery} the route had; a document whose MAC fails is not read.
 */
@Component("intakeSpool")
public class IntakeSpool {

    /** The exchange variable the intake routes keep the spooled delivery in. */
    static final String SPOOLED_VARIABLE = "spooled";
    /** The version of the document's layout, for whoever reads an old spool. */
    static final int FORMAT = 1;
    /**
     * The layout of a refused delivery's document: format 1 plus its {@code refused} object. A reader
     * of format 1 alone refuses it rather than apply it as a delivery that passed its checks.
     */
    static final int REFUSED_FORMAT = 2;
    /**
     * Not Host or X-Forwarded-Proto/-Host, which a WebhookDelivery keeps too: they only say, when a
     * Twilio signature fails, which URL Twilio signed, and a delivery is spooled after its signature
     * passed and never verified again when drained. A caller's proxy headers stay out of R2 and the
     * dead letters.
     */
    private static final Set<String> SPOOLED_HEADERS = Set.of("content-type", "x-twilio-signature");

    /** The document's field holding the MAC of all its other fields. */
    static final String MAC_FIELD = "mac";
    /** The canonical form a MAC is computed over: every field but the MAC, names sorted at every level. */
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private final ObjectMapper objectMapper;
    private final String r2Prefix;
    private final SpoolDocumentMac mac;

    public IntakeSpool(ObjectMapper objectMapper, @Value("${intake.r2-prefix}") String r2Prefix, SpoolDocumentMac mac) {
        this.objectMapper = objectMapper;
        this.r2Prefix = r2Prefix;
        this.mac = mac;
    }

    /** A spooled delivery's object key in R2: its name under the intake prefix. */
    public String key(@Variable(SPOOLED_VARIABLE) SpooledDelivery spooled) {
        return r2Prefix + spooled.fileName();
    }

    /**
     * A delivery to keep, under a new id, without the credentials of its query (Reverse Contact's
     * {@code sig} and {@code secret}): they were checked when it came, and applying it reads none.
     * With a {@code refusal}, a delivery its webhook refused (routes/refused-deliveries.camel.yaml).
     */
    public SpooledDelivery spool(@Variable(WebhookRequests.DELIVERY_VARIABLE) WebhookDelivery delivery,
                                 @Variable(Refusal.VARIABLE) Refusal refusal) {
        return new SpooledDelivery(UUID.randomUUID().toString(), delivery.withoutCredentials(), refusal);
    }

    /** The request headers a kept delivery holds (spooled, or kept as refused): those its webhook reads to verify and read it. */
    public static Map<String, String> keptHeaders(WebhookDelivery delivery) {
        Map<String, String> kept = new LinkedHashMap<>();
        delivery.headers().forEach((name, value) -> {
            if (SPOOLED_HEADERS.contains(name)) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /** The document a spooled delivery is kept as. */
    public byte[] document(@Variable(SPOOLED_VARIABLE) SpooledDelivery spooled) throws JsonProcessingException {
        WebhookDelivery delivery = spooled.delivery();
        Refusal refusal = spooled.refusal();
        ObjectNode document = objectMapper.createObjectNode()
                .put("format", refusal == null ? FORMAT : REFUSED_FORMAT)
                .put("id", spooled.id())
                .put("route", delivery.route())
                .put("pathAndQuery", delivery.pathAndQuery())
                .put("receivedAt", delivery.receivedAt().toString());
        ObjectNode headers = document.putObject("headers");
        keptHeaders(delivery).forEach(headers::put);
        document.put("body", Base64.getEncoder().encodeToString(delivery.body()));
        if (refusal != null) {
            document.putObject("refused").put("status", refusal.status()).put("reason", refusal.reason())
                    .put("message", refusal.message()).put("authenticated", refusal.authenticated());
        }
        document.put(MAC_FIELD, Base64.getEncoder().encodeToString(mac.of(canonical(document))));
        return objectMapper.writeValueAsBytes(document);
    }

    /**
     * A spooled delivery from its document. One whose MAC fails (or that is not even JSON) was not
     * written by this service ({@link ForgedSpoolDocumentException}); one that verifies but cannot be
     * read is refused (and dead-lettered by the drain).
     */
    public SpooledDelivery read(byte[] document) {
        JsonNode node;
        try {
            node = objectMapper.readTree(document);
            // Nothing of a document is read before its MAC says this service wrote it.
            if (!(node instanceof ObjectNode fields) || !mac.verifies(canonical(fields), macOf(fields))) {
                throw new ForgedSpoolDocumentException();
            }
        } catch (IOException e) {
            throw new ForgedSpoolDocumentException(); // not even JSON: not written by this service
        }
        try {
            int format = node.path("format").asInt();
            if (format != FORMAT && format != REFUSED_FORMAT) {
                throw new UnreadableSpoolException("not a spooled delivery of format " + FORMAT + " or " + REFUSED_FORMAT);
            }
            // Which webhook it names is the drain's to check (edge.WebhookCatalog): one it does not know is refused.
            String route = requireText(node, "route");
            Map<String, String> headers = new LinkedHashMap<>();
            node.path("headers").properties().forEach(header -> headers.put(header.getKey(), header.getValue().asText()));
            WebhookDelivery delivery = new WebhookDelivery(route, node.path("pathAndQuery").asText(), headers,
                    Base64.getDecoder().decode(node.path("body").asText()), Instant.parse(node.path("receivedAt").asText()));
            return new SpooledDelivery(requireText(node, "id"), delivery, format == REFUSED_FORMAT ? refusal(node) : null);
        } catch (RuntimeException e) {
            throw e instanceof UnreadableSpoolException unreadable ? unreadable
                    : new UnreadableSpoolException("unreadable spooled delivery: " + e.getMessage());
        }
    }

    /**
     * What a document that failed its MAC claims to be, read without trusting any of it: the
     * delivery it names (webhook, path, headers, body, receive time), or empty when it is not even
     * shaped like one.
     */
    public Optional<WebhookDelivery> claimed(byte[] document) {
        try {
            JsonNode node = objectMapper.readTree(document);
            Map<String, String> headers = new LinkedHashMap<>();
            node.path("headers").properties().forEach(header -> headers.put(header.getKey(), header.getValue().asText()));
            return Optional.of(new WebhookDelivery(requireText(node, "route"), node.path("pathAndQuery").asText(""), headers,
                    Base64.getDecoder().decode(node.path("body").asText("")), Instant.parse(node.path("receivedAt").asText())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Refusal refusal(JsonNode node) {
        JsonNode refused = node.path("refused");
        if (!refused.isObject()) {
            throw new UnreadableSpoolException("refused delivery without its refusal");
        }
        return new Refusal(refused.path("status").asInt(), requireText(refused, "reason"),
                refused.path("message").asText(""), refused.path("authenticated").asBoolean(false));
    }

    /** The intake_ledger row that says a spooled delivery was applied (written in its transaction). */
    public Map<String, Object> ledgerEntry(@Variable(SPOOLED_VARIABLE) SpooledDelivery spooled) {
        return Map.of("deliveryId", spooled.id(), "route", spooled.route(), "receivedAt", spooled.delivery().receivedAtUtc());
    }

    /**
     * The dead letter of a spooled delivery the database refused for good (an unknown subscription
     * or entity, values it cannot store), or of a document that is not one ({@code spooled} null):
     * the document itself, JSON, as its payload, the error, and a ledger row so it is recorded once.
     */
    public Map<String, Object> deadLetter(SpooledDelivery spooled, byte[] document, Throwable failure)
            throws JsonProcessingException {
        Map<String, Object> letter = new LinkedHashMap<>();
        if (spooled != null) {
            letter.put("deliveryId", spooled.id());
            letter.put("route", spooled.route());
            letter.put("receivedAt", spooled.delivery().receivedAtUtc());
            letter.put("payload", new String(document(spooled), StandardCharsets.UTF_8));
        } else {
            letter.put("deliveryId", "unreadable:" + sha256(document));
            letter.put("route", "intake");
            letter.put("receivedAt", OffsetDateTime.now(ZoneOffset.UTC));
            letter.put("payload", objectMapper.createObjectNode()
                    .put("unreadable", Base64.getEncoder().encodeToString(document)).toString());
        }
        letter.put("error", reason(failure));
        return letter;
    }

    /** Why the database refused it: the refusal's own message, wherever Camel wrapped it (a transaction's wrapper, say). */
    public static String reason(Throwable failure) {
        Throwable reason = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof WebhookRejection || t instanceof UnreadableSpoolException || t instanceof SQLException) {
                reason = t;
                break;
            }
        }
        if (reason == null) {
            return "refused";
        }
        return reason.getMessage() == null ? reason.getClass().getSimpleName() : reason.getMessage();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The MAC a document says it carries, or null when it carries none that decodes. */
    private static byte[] macOf(ObjectNode document) {
        JsonNode mac = document.path(MAC_FIELD);
        try {
            return mac.isTextual() ? Base64.getDecoder().decode(mac.asText()) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A document's fields but its MAC, in one canonical byte form. */
    private static byte[] canonical(ObjectNode document) throws JsonProcessingException {
        ObjectNode withoutMac = document.deepCopy();
        withoutMac.remove(MAC_FIELD);
        return CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(withoutMac, Object.class));
    }

    private static String requireText(JsonNode node, String field) {
        String value = node.path(field).asText("");
        if (value.isBlank()) {
            throw new UnreadableSpoolException("spooled delivery without " + field);
        }
        return value;
    }
}
