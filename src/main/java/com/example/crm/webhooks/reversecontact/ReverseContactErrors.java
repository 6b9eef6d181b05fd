package com.example.crm.webhooks.reversecontact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The message of a Reverse Contact error answer, {@code {"success": false, "error": ...}}, whose
 * {@code error} is either text or an object {@code {"message": ..., "code": ...}}
 * (../shared/spec/providers.md): "message (code)", or the text. Raw, as the provider sent it; the
 * caller escapes it for a log line or a stored error ({@code logging.LogText}).
 */
public final class ReverseContactErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReverseContactErrors() {
    }

    /** The message in an error answer's body; null when the body is not such an answer. */
    public static String message(String responseBody) {
        if (responseBody == null || responseBody.isBlank()) {
            return null;
        }
        try {
            return message(JSON.readTree(responseBody));
        } catch (JsonProcessingException notJson) {
            return null;
        }
    }

    /** The message of an answer's {@code error} (or, lacking one, {@code message}); null when it has none. */
    public static String message(JsonNode answer) {
        if (answer == null || !answer.isObject()) {
            return null;
        }
        JsonNode error = answer.has("error") ? answer.path("error") : answer.path("message");
        if (error.isTextual() || error.isNumber()) {
            return error.asText();
        }
        if (!error.isObject()) {
            return null;
        }
        String message = scalar(error.path("message"));
        String code = scalar(error.path("code"));
        if (message == null) {
            return code;
        }
        return code == null ? message : message + " (" + code + ")";
    }

    private static String scalar(JsonNode value) {
        return value.isValueNode() && !value.isNull() && !value.asText().isBlank() ? value.asText() : null;
    }
}
