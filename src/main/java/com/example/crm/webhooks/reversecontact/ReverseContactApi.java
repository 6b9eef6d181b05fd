package com.example.crm.webhooks.reversecontact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What a route needs to call the Reverse Contact API (v2): whether a key is configured, the
 * request of a profile fetch, and the {@code data} of its answer. The HTTP call itself is a named
 * step of routes/enrichment-jobs.camel.yaml.
 */
@Component("reverseContactApi")
public class ReverseContactApi {

    private static final Logger log = LoggerFactory.getLogger(ReverseContactApi.class);
    /** A missing key is logged at most this often, not once per poll. */
    private static final long MISSING_KEY_LOG_INTERVAL_NANOS = Duration.ofMinutes(5).toNanos();

    private final ObjectMapper objectMapper;
    private final String apiKey;
    private final AtomicLong lastMissingKeyLog = new AtomicLong(System.nanoTime() - MISSING_KEY_LOG_INTERVAL_NANOS);

    public ReverseContactApi(ObjectMapper objectMapper, @Value("${reversecontact.api-key:}") String apiKey) {
        this.objectMapper = objectMapper;
        this.apiKey = apiKey;
    }

    /**
     * True when jobs may run. Without a key they stay pending (not failed, not dead-lettered) and
     * run once the service is restarted with REVERSECONTACT_API_KEY set.
     */
    public boolean readyForJobs() {
        if (apiKey != null && !apiKey.isBlank()) {
            return true;
        }
        long now = System.nanoTime();
        long last = lastMissingKeyLog.get();
        if (now - last >= MISSING_KEY_LOG_INTERVAL_NANOS && lastMissingKeyLog.compareAndSet(last, now)) {
            log.warn("REVERSECONTACT_API_KEY is not set: enrichment jobs stay pending until it is configured");
        }
        return false;
    }

    /** The Authorization header of every call: the key stays out of the route (and the console's view of it). */
    public String authorization() {
        return "Bearer " + apiKey;
    }

    /** The body of a fetch of the profile at {@code linkedinUrl}: {@code {"url": ...}}. */
    public String fetchRequest(String linkedinUrl) {
        return objectMapper.createObjectNode().put("url", linkedinUrl).toString();
    }

    /** The {@code data} object of a fetch answer; anything else is a malformed answer, not worth retrying. */
    public JsonNode profileData(String responseBody) {
        JsonNode root;
        try {
            root = responseBody == null ? null : objectMapper.readTree(responseBody);
        } catch (JsonProcessingException e) {
            throw new MalformedProfileException("Reverse Contact answered with invalid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedProfileException("Reverse Contact answered without a JSON object");
        }
        if (root.has("success") && !root.path("success").asBoolean(false)) {
            String message = ReverseContactErrors.message(root);
            throw new MalformedProfileException("Reverse Contact answered success=false: "
                    + abbreviate(message == null ? "(no error message)" : message));
        }
        JsonNode data = root.path("data");
        if (!data.isObject()) {
            throw new MalformedProfileException("Reverse Contact answered without a data object");
        }
        return data;
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
