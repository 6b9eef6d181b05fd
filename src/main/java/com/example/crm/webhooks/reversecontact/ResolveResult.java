package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.edge.WebhookRejection;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * What a resolve callback's body says, read defensively: Reverse Contact does not publish the
 * callback's exact body, so every shape its API and clients are known to use is taken
 * (../shared/spec/providers.md):
 * <ul>
 * <li>{@code {"data": {"linkedinUrl": ...}}}, {@code linkedInUrl} too, with or without
 *     {@code "success": true};</li>
 * <li>{@code {"status": "succeeded" | "errored", "result": {...}, "errorCode": ...}};</li>
 * <li>candidates (an email lookup can give several): {@code data} or {@code result} an array, or
 *     holding a {@code candidates}, {@code profiles} or {@code results} array, of objects with a URL
 *     or of URLs; the first candidate with a URL is taken, the rest stay in the stored payload.</li>
 * </ul>
 * A result without a URL is a no match when it says it succeeded ({@code success: true},
 * {@code status: succeeded}) or lists no candidates; {@code success: false}, {@code status: errored}
 * or an error alone make it errored. Anything else is not a Reverse Contact result: 400.
 *
 * @param outcome     {@link #RESOLVED}, {@link #NO_MATCH} or {@link #ERRORED}
 * @param linkedinUrl the normalised LinkedIn URL when resolved, else null
 * @param errorCode   Reverse Contact's error code when errored and it gave one, else null
 */
record ResolveResult(String outcome, String linkedinUrl, String errorCode) {

    static final String RESOLVED = "resolved";
    static final String NO_MATCH = "no_match";
    static final String ERRORED = "errored";

    private static final List<String> RESULT_KEYS = List.of("result", "data");
    private static final List<String> CANDIDATE_LISTS = List.of("candidates", "profiles", "results");
    private static final List<String> URL_KEYS = List.of("linkedinUrl", "linkedInUrl");

    /** The result a callback's JSON body gives; a 400 naming what is wrong when it is none. */
    static ResolveResult of(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw WebhookRejection.badRequest("body must be a JSON object");
        }
        Boolean succeeded = succeeded(body);
        String errorCode = errorCode(body);
        boolean saysError = present(body, "error") || errorCode != null;
        if (Boolean.FALSE.equals(succeeded) || succeeded == null && saysError) {
            return new ResolveResult(ERRORED, null, errorCode);
        }
        // data: null (or result: null) says no more than its absence.
        String resultKey = RESULT_KEYS.stream().filter(key -> present(body, key)).findFirst().orElse(null);
        if (resultKey == null && succeeded == null) {
            throw WebhookRejection.badRequest("not a Reverse Contact resolve result: expected data, result, status, success or an error");
        }
        JsonNode result = resultKey == null ? null : body.get(resultKey);
        Candidates candidates = candidates(result, resultKey);
        String url = candidates.firstUrl();
        if (url != null) {
            String normalised = LinkedInUrls.normalise(url).orElseThrow(() -> WebhookRejection.badRequest(
                    "the LinkedIn URL in " + candidates.where() + " is not an http(s) linkedin.com URL"));
            return new ResolveResult(RESOLVED, normalised, null);
        }
        if (Boolean.TRUE.equals(succeeded) || candidates.listed()) {
            return new ResolveResult(NO_MATCH, null, null);
        }
        throw WebhookRejection.badRequest(resultKey + ".linkedinUrl is required");
    }

    /** {@code success} or {@code status} as a verdict: true, false, or null when the body gives neither. */
    private static Boolean succeeded(JsonNode body) {
        Boolean verdict = null;
        JsonNode success = body.get("success");
        if (success != null && !success.isNull()) {
            if (!success.isBoolean()) {
                throw WebhookRejection.badRequest("success must be true or false");
            }
            verdict = success.booleanValue();
        }
        JsonNode status = body.get("status");
        if (status != null && !status.isNull()) {
            String text = status.isTextual() ? status.textValue().toLowerCase(Locale.ROOT) : "";
            if (!text.equals("succeeded") && !text.equals("errored")) {
                throw WebhookRejection.badRequest("status must be succeeded or errored");
            }
            // Either word saying it failed decides.
            verdict = text.equals("succeeded") && !Boolean.FALSE.equals(verdict);
        }
        return verdict;
    }

    /** {@code errorCode}, else {@code error.code}, as text (a string or a number); null when there is none. */
    private static String errorCode(JsonNode body) {
        JsonNode code = body.get("errorCode");
        if (code == null || code.isNull()) {
            code = body.path("error").get("code");
        }
        return code != null && code.isValueNode() && !code.isNull() ? code.asText() : null;
    }

    private static boolean present(JsonNode body, String key) {
        return body.has(key) && !body.get(key).isNull();
    }

    /**
     * The candidates a result holds: itself when it is one profile, its elements when it is an array
     * or holds a candidate list. {@code where} names the place of the URL taken, for the 400.
     */
    private static Candidates candidates(JsonNode result, String resultKey) {
        if (result == null) {
            return new Candidates(List.of(), false, null);
        }
        if (result.isArray()) {
            return new Candidates(elements(result, resultKey), true, resultKey + "[]");
        }
        if (!result.isObject()) {
            throw WebhookRejection.badRequest(resultKey + " must be an object or an array");
        }
        if (url(result, resultKey) == null) {
            for (String list : CANDIDATE_LISTS) {
                JsonNode candidates = result.get(list);
                if (candidates != null && candidates.isArray()) {
                    return new Candidates(elements(candidates, resultKey + "." + list), true, resultKey + "." + list + "[]");
                }
            }
        }
        return new Candidates(List.of(result), false, resultKey);
    }

    private static List<JsonNode> elements(JsonNode array, String where) {
        List<JsonNode> elements = array.valueStream().toList();
        for (JsonNode element : elements) {
            if (!element.isObject() && !element.isTextual()) {
                throw WebhookRejection.badRequest(where + " must hold objects or URLs");
            }
        }
        return elements;
    }

    /** A candidate's URL under either spelling, or itself when it is text; null (or blank) when it names none. */
    private static String url(JsonNode candidate, String where) {
        if (candidate.isTextual()) {
            return candidate.textValue();
        }
        for (String key : URL_KEYS) {
            JsonNode url = candidate.get(key);
            if (url != null && !url.isNull()) {
                if (!url.isTextual()) {
                    throw WebhookRejection.badRequest(where + "." + key + " must be a string");
                }
                return url.textValue();
            }
        }
        return null;
    }

    /**
     * @param all    the candidates, in the order Reverse Contact gave them
     * @param listed whether they came as a list (an empty list is a no match)
     * @param where  where they are in the body, for a refusal
     */
    private record Candidates(List<JsonNode> all, boolean listed, String where) {

        /** The URL of the first candidate that names one (a blank URL names none). */
        String firstUrl() {
            for (JsonNode candidate : all) {
                String url = url(candidate, where);
                if (url != null && !url.isBlank()) {
                    return url;
                }
            }
            return null;
        }
    }
}
