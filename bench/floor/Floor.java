import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bench's second yardstick (bench/run.sh with FLOOR=1): the least any JVM service can spend on
 * these webhooks on this machine. Vert.x reads the request, a worker thread runs the route's SQL
 * over HikariCP and plain JDBC, and the answer is the route's status code. No signature check, no
 * Camel, no Spring, no validation, no metrics, no log line; the sender's digit forms assume an
 * Australian mobile, as the bench's senders are. Never a service: a measuring instrument.
 *
 * <p>Run with the service's dependencies on the class path (java's source launcher):
 * {@code java -cp <classpath> bench/floor/Floor.java}; SPRING_DATASOURCE_URL, SPRING_DATASOURCE_USERNAME
 * and PUBLIC_PORT as for the service.
 */
public class Floor {

    // The statements of TwilioStatusCallbacks.INSERT_SQL, ContactPhoneMatcher.CANDIDATES_SQL and
    // TwilioInboundMessages.INSERT_SQL, as bench/sql/ runs them too.
    static final String STATUS_INSERT = """
            insert into message_status_events (twilio_sid, status, error_code, payload)
            values (?, ?, ?, cast(? as jsonb)) on conflict (twilio_sid, status) do nothing""";
    static final String CANDIDATES = """
            select 'RELATIONSHIP_PHONE_NUMBER' as source, contact_id, phone_number as stored
              from contact_relationship_profiles where phone_digits(phone_number) = any(?) and contact_id is not null
            union all
            select 'RELATIONSHIP_WHATSAPP_NUMBER', contact_id, whatsapp_number
              from contact_relationship_profiles where phone_digits(whatsapp_number) = any(?) and contact_id is not null
            union all
            select 'CONTACT_MOBILE', id, mobile from contacts where phone_digits(mobile) = any(?)
            union all
            select 'CONTACT_PHONE', id, phone from contacts where phone_digits(phone) = any(?)""";
    /** The route's statement (sql/insert-inbound-message.sql), with media copying off. */
    static final String INBOUND_INSERT = """
            with message as (
                insert into messages (contact_id, direction, channel, twilio_sid, from_number, to_number,
                                      body, num_media, media, payload, status)
                values (?, 'inbound', 'sms', ?, ?, ?, ?, ?, cast('[]' as jsonb), cast(? as jsonb), 'received')
                on conflict (twilio_sid) do nothing
                returning id, media),
            media_jobs as (
                insert into enrichment_jobs (entity_type, entity_id, message_id, media_item)
                select 'message_media', message.id || '/media-' || (item.position - 1), message.id, item.position - 1
                  from message, jsonb_array_elements(message.media) with ordinality as item(media, position)
                 where false
                returning id)
            select count(*) as inserted from message""";

    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(System.getenv("SPRING_DATASOURCE_URL"));
        config.setUsername(System.getenv().getOrDefault("SPRING_DATASOURCE_USERNAME", "postgres"));
        config.setMaximumPoolSize(10); // the service's default (DATABASE_POOL_SIZE)
        HikariDataSource database = new HikariDataSource(config);
        Vertx vertx = Vertx.vertx();
        vertx.createHttpServer().requestHandler(request -> {
            if (!"POST".equals(request.method().name())) {
                request.response().end("{\"status\":\"UP\"}"); // run.sh waits for an answer
                return;
            }
            boolean inbound = request.path().endsWith("/inbound");
            request.body().onSuccess(body -> vertx.executeBlocking(() -> {
                try (Connection connection = database.getConnection()) {
                    return inbound ? storeInbound(connection, form(body)) : storeStatus(connection, form(body));
                }
            }, false).onComplete(stored -> {
                if (stored.failed()) {
                    stored.cause().printStackTrace();
                    request.response().setStatusCode(500).end();
                } else if (inbound) {
                    request.response().putHeader("Content-Type", "text/xml").end("<Response></Response>");
                } else {
                    request.response().setStatusCode(204).end();
                }
            }));
        }).listen(Integer.parseInt(System.getenv("PUBLIC_PORT")));
    }

    static Map<String, String> form(Buffer body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
            int equals = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    static int storeStatus(Connection connection, Map<String, String> form) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement(STATUS_INSERT)) {
            insert.setString(1, form.get("MessageSid"));
            insert.setString(2, form.get("MessageStatus"));
            insert.setNull(3, Types.VARCHAR);
            insert.setString(4, JSON.writeValueAsString(form));
            return insert.executeUpdate();
        }
    }

    static int storeInbound(Connection connection, Map<String, String> form) throws Exception {
        String from = form.get("From");
        String digits = from.substring(1); // +61 4xx: 614xx, 04xx, 4xx
        String[] forms = {digits, "0" + digits.substring(2), digits.substring(2)};
        String contactId = null;
        try (PreparedStatement candidates = connection.prepareStatement(CANDIDATES)) {
            var array = connection.createArrayOf("text", forms);
            for (int i = 1; i <= 4; i++) {
                candidates.setArray(i, array);
            }
            try (ResultSet rows = candidates.executeQuery()) {
                while (rows.next()) {
                    String id = rows.getString(2);
                    contactId = contactId == null || id.compareTo(contactId) < 0 ? id : contactId;
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(INBOUND_INSERT)) {
            insert.setString(1, contactId);
            insert.setString(2, form.get("MessageSid"));
            insert.setString(3, from);
            insert.setString(4, form.get("To"));
            insert.setString(5, form.get("Body"));
            insert.setInt(6, Integer.parseInt(form.get("NumMedia")));
            insert.setString(7, JSON.writeValueAsString(form));
            try (ResultSet inserted = insert.executeQuery()) {
                inserted.next();
                return inserted.getInt(1);
            }
        }
    }
}
