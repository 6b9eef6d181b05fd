package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.edge.WebhookDelivery;
import com.example.crm.webhooks.logging.LogText;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a Twilio signature failed, said for an operator. The usual cause behind a proxy is a
 * {@code PUBLIC_BASE_URL} that is not the URL entered in Twilio (another port, http for https), and
 * the request itself says which URL it came in on: its {@code Host} and {@code X-Forwarded-Host}
 * headers, its {@code X-Forwarded-Proto} (else the plain HTTP the public port speaks), each with and
 * without the port, under either scheme; and {@code PUBLIC_BASE_URL}'s own host likewise. The
 * verifier tries these only once a signature failed, at most {@value #MAX_CANDIDATES} of them, one
 * HMAC each per token and connection-override fragment the check itself takes, and only for a form
 * of at most {@value #MAX_DIAGNOSED_FORM_BYTES} bytes: a caller without the token can make a refusal
 * cost little more than the check itself.
 *
 * <p>Header values are used only when they are a plain {@code host[:port]}; everything taken from
 * the request is escaped ({@link LogText}) in the line. Neither the token nor the signature is ever
 * in it, nor the request's query string (a URL's query may carry a secret of its own).
 */
final class TwilioSignatureDiagnosis {

    /** The most URLs tried for one failed signature: three hosts, two schemes, with and without the port. */
    static final int MAX_CANDIDATES = 12;
    /** The length of every HMAC-SHA1 signature in base64: anything else is no signature of Twilio's. */
    static final int SIGNATURE_LENGTH = 28;
    /**
     * The largest form (its signed fields, UTF-8) tried under other URLs. Twilio's are a few KiB; twelve
     * HMACs over this much hash less than the check's own two over a form at the default body limit
     * (1 MiB), and a second token or the override fragment multiplies both alike, so a large forged
     * request makes the diagnosis no dearer than the refusal.
     */
    static final int MAX_DIAGNOSED_FORM_BYTES = 64 * 1024;

    /** A DNS name, an IPv4 or a bracketed IPv6 address, and an optional port: nothing else makes a candidate. */
    private static final Pattern AUTHORITY = Pattern.compile(
            "([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}])(?::([0-9]{1,5}))?");
    private static final int MAX_LOGGED_PATH = 200;
    private static final int MAX_LOGGED_ACCOUNT_SID = 40;

    /** PUBLIC_BASE_URL as it goes in a log line: without user info. */
    private final String publicBaseUrl;
    /** Its host and port, and its path (the prefix a proxy strips). */
    private final String publicAuthority;
    private final String prefix;
    /** The forms the verifier already tried. */
    private final Set<String> publicBaseUrlForms;
    /** The token variables the verifier tries, as named to the operator. */
    private final String tokenVariables;

    /**
     * {@code publicBaseUrlForms}: the verifier's forms of a usable PUBLIC_BASE_URL, the first as
     * configured; {@code secondaryToken}: whether TWILIO_AUTH_TOKEN_SECONDARY is tried too.
     */
    TwilioSignatureDiagnosis(List<String> publicBaseUrlForms, boolean secondaryToken) {
        URI configured = URI.create(publicBaseUrlForms.get(0));
        this.publicAuthority = configured.getHost() + (configured.getPort() == -1 ? "" : ":" + configured.getPort());
        this.prefix = configured.getRawPath() == null ? "" : configured.getRawPath();
        this.publicBaseUrl = configured.getScheme() + "://" + publicAuthority + prefix;
        this.publicBaseUrlForms = Set.copyOf(publicBaseUrlForms);
        this.tokenVariables = secondaryToken ? "TWILIO_AUTH_TOKEN (or TWILIO_AUTH_TOKEN_SECONDARY)" : "TWILIO_AUTH_TOKEN";
    }

    /**
     * The base URLs (scheme, host, port and PUBLIC_BASE_URL's path) the request could have been sent
     * to, by its headers, besides PUBLIC_BASE_URL's own forms: at most {@value #MAX_CANDIDATES}.
     */
    List<String> candidateBaseUrls(WebhookDelivery delivery) {
        String forwardedProto = firstValue(delivery.header("X-Forwarded-Proto"));
        String scheme = forwardedProto == null ? "http" : forwardedProto.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            scheme = "http";
        }
        List<String> schemes = List.of(scheme, otherScheme(scheme));
        Set<String> authorities = new LinkedHashSet<>();
        for (String authority : new String[] {firstValue(delivery.header("X-Forwarded-Host")), delivery.header("Host"),
                publicAuthority}) {
            if (authority != null && AUTHORITY.matcher(authority.strip()).matches()) {
                authorities.add(authority.strip());
            }
        }
        Set<String> urls = new LinkedHashSet<>();
        for (String authority : authorities) {
            Matcher parts = AUTHORITY.matcher(authority);
            parts.matches();
            String host = parts.group(1);
            for (String candidateScheme : schemes) {
                String port = parts.group(2) != null ? parts.group(2) : candidateScheme.equals("https") ? "443" : "80";
                urls.add(candidateScheme + "://" + host + prefix);
                urls.add(candidateScheme + "://" + host + ":" + port + prefix);
            }
        }
        urls.removeAll(publicBaseUrlForms);
        return urls.stream().limit(MAX_CANDIDATES).toList();
    }

    /** The signature is valid for {@code signedBaseUrl}, one of the candidates: PUBLIC_BASE_URL is not the URL Twilio calls. */
    String signedAnotherUrl(WebhookDelivery delivery, String signedBaseUrl) {
        String signed = LogText.escape(signedBaseUrl, MAX_LOGGED_PATH);
        return refused(delivery) + "Twilio signed " + signed + path(delivery) + "; PUBLIC_BASE_URL is " + publicBaseUrl
                + ". Set PUBLIC_BASE_URL to " + signed + ", or enter in Twilio the URL under PUBLIC_BASE_URL";
    }

    /** The signature is valid for no URL tried: the token is not the one it was made with. */
    String signedNoUrl(WebhookDelivery delivery, List<String> tried, String accountSid) {
        List<String> escaped = new ArrayList<>();
        tried.forEach(url -> escaped.add(LogText.escape(url, MAX_LOGGED_PATH)));
        return refused(delivery) + "the signature matches no URL the request could have been sent to (tried PUBLIC_BASE_URL "
                + publicBaseUrl + (escaped.isEmpty() ? "" : " and " + String.join(", ", escaped))
                + "): check " + tokenVariables + ", which must be the auth token of the account that sends (a sub-account signs"
                + " with its own token; the form names AccountSid " + LogText.token(accountSid, MAX_LOGGED_ACCOUNT_SID)
                + "), or the request is not from Twilio";
    }

    /** The form is larger than {@value #MAX_DIAGNOSED_FORM_BYTES} bytes: no other URL was tried. */
    String formTooLarge(WebhookDelivery delivery) {
        return refused(delivery) + "the form is larger than the " + MAX_DIAGNOSED_FORM_BYTES / 1024 + " KiB a refused"
                + " signature is diagnosed for (Twilio's are a few KiB), so no other URL was tried: check PUBLIC_BASE_URL"
                + " (" + publicBaseUrl + ") and " + tokenVariables + ", or the request is not from Twilio";
    }

    /** The header is not an HMAC-SHA1 signature at all: no URL was tried. */
    String notASignature(WebhookDelivery delivery) {
        return refused(delivery) + TwilioSignatureVerifier.SIGNATURE_HEADER + " is not an HMAC-SHA1 signature ("
                + SIGNATURE_LENGTH + " base64 characters): the request is not from Twilio, or something on its way"
                + " changed the header";
    }

    private String refused(WebhookDelivery delivery) {
        return "Twilio signature refused (403) on " + path(delivery) + ": ";
    }

    /** The request's path, escaped; a query string only as "?…". */
    private static String path(WebhookDelivery delivery) {
        String pathAndQuery = delivery.pathAndQuery();
        int question = pathAndQuery.indexOf('?');
        return question < 0 ? LogText.escape(pathAndQuery, MAX_LOGGED_PATH)
                : LogText.escape(pathAndQuery.substring(0, question), MAX_LOGGED_PATH) + "?" + LogText.ELLIPSIS;
    }

    /** The first of a proxy chain's comma-separated values (the client's side), or null. */
    private static String firstValue(String header) {
        if (header == null) {
            return null;
        }
        int comma = header.indexOf(',');
        return (comma < 0 ? header : header.substring(0, comma)).strip();
    }

    private static String otherScheme(String scheme) {
        return scheme.equals("https") ? "http" : "https";
    }
}
