package com.example.crm.webhooks.twilio;

import com.example.crm.webhooks.images.ImageRefusedException;
import com.example.crm.webhooks.images.ImageRefusedException.Reason;
import com.example.crm.webhooks.images.SafeImageFetcher;
import com.example.crm.webhooks.images.SafeImageFetcher.Download;
import com.example.crm.webhooks.images.SafeImageFetcher.DownloadRules;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Inbound media copied to R2 (routes/twilio-media.camel.yaml): each media item of an inbound
 * message is a job of the enrichment queue; this class gives its steps their values. It downloads
 * the item through {@link SafeImageFetcher} (its address checks on every hop, redirects followed by
 * hand) from a host of {@code TWILIO_MEDIA_HOSTS} only, with Twilio's credentials as HTTP Basic
 * authentication on the hops to those hosts and on no other: Twilio answers with a redirect to a
 * short-lived storage URL that must not see them.
 *
 * <p>Credentials: an API key ({@code TWILIO_API_KEY_SID} and {@code TWILIO_API_KEY_SECRET}), else
 * the account SID with the auth token ({@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}).
 * Without either, copying is off (inbound messages queue no jobs) and start-up says so once; half a
 * key pair stops start-up (config.StartupSettings).
 *
 * <p>{@code host} in {@code TWILIO_MEDIA_HOSTS} names that host over https on port 443;
 * {@code host:port} that host on that port, over http or https (a local stand-in).
 *
 * <p>Metrics: {@code twilio_media_copied_total}, {@code twilio_media_bytes_total} (bytes copied),
 * {@code twilio_media_failed_total{reason}} (failed attempts: {@link Reason#label()}, or
 * {@code delete_refused} when Twilio refused the DELETE of an item copied and recorded).
 */
@Component("twilioMediaCopies")
public class TwilioMediaCopies {

    private static final Logger log = LoggerFactory.getLogger(TwilioMediaCopies.class);

    /** File extensions of the media types Twilio accepts most often; any other type is kept as .bin. */
    private static final Map<String, String> EXTENSIONS = Map.ofEntries(
            Map.entry("image/jpeg", "jpg"), Map.entry("image/png", "png"), Map.entry("image/gif", "gif"),
            Map.entry("image/webp", "webp"), Map.entry("image/heic", "heic"), Map.entry("audio/ogg", "ogg"),
            Map.entry("audio/mpeg", "mp3"), Map.entry("audio/mp4", "m4a"), Map.entry("audio/amr", "amr"),
            Map.entry("audio/aac", "aac"), Map.entry("video/mp4", "mp4"), Map.entry("video/3gpp", "3gp"),
            Map.entry("application/pdf", "pdf"), Map.entry("text/vcard", "vcf"), Map.entry("text/x-vcard", "vcf"),
            Map.entry("text/plain", "txt"));

    /** An entry of TWILIO_MEDIA_HOSTS: a DNS name or IPv4 address, and an optional port. */
    private static final Pattern HOST_ENTRY = Pattern.compile("([a-z0-9]([a-z0-9.-]*[a-z0-9])?)(?::([1-9][0-9]{0,4}))?");

    private final SafeImageFetcher fetcher;
    private final String authorization;
    private final List<MediaHost> hosts;
    private final DownloadRules rules;
    private final boolean deleteAfterCopy;
    private final Counter copied;
    private final Counter bytes;
    private final Map<Reason, Counter> failed = new EnumMap<>(Reason.class);
    private final Counter deleteRefused;

    public TwilioMediaCopies(SafeImageFetcher fetcher, MeterRegistry registry,
                             @Value("${twilio.account-sid:}") String accountSid,
                             @Value("${twilio.auth-token:}") String authToken,
                             @Value("${twilio.api-key-sid:}") String apiKeySid,
                             @Value("${twilio.api-key-secret:}") String apiKeySecret,
                             @Value("${twilio.media.hosts:api.twilio.com}") List<String> hosts,
                             @Value("${twilio.media.max-bytes}") long maxBytes,
                             @Value("${twilio.media.deadline}") Duration deadline,
                             @Value("${twilio.media.delete-after-copy:false}") boolean deleteAfterCopy) {
        this.fetcher = fetcher;
        this.authorization = authorization(accountSid, authToken, apiKeySid, apiKeySecret);
        this.hosts = hosts.stream().map(String::strip).filter(host -> !host.isEmpty()).map(MediaHost::parse).toList();
        this.rules = new DownloadRules(maxBytes, deadline, false, uri -> isMediaHost(uri) ? this.authorization : null);
        this.deleteAfterCopy = deleteAfterCopy;
        this.copied = Counter.builder("twilio.media.copied").description("Inbound media items copied to R2").register(registry);
        this.bytes = Counter.builder("twilio.media.bytes").baseUnit("bytes")
                .description("Bytes of inbound media copied to R2").register(registry);
        for (Reason reason : Reason.values()) {
            failed.put(reason, Counter.builder("twilio.media.failed").tag("reason", reason.label())
                    .description("Failed attempts to copy an inbound media item").register(registry));
        }
        this.deleteRefused = Counter.builder("twilio.media.failed").tag("reason", "delete_refused")
                .description("Failed attempts to copy an inbound media item").register(registry);
        if (this.authorization == null) {
            log.info("Inbound media copying is off: set TWILIO_ACCOUNT_SID (with TWILIO_AUTH_TOKEN) or TWILIO_API_KEY_SID and "
                    + "TWILIO_API_KEY_SECRET to copy MMS and WhatsApp media to R2");
        } else {
            log.info("Inbound media are copied to R2 from {}{}", this.hosts.stream().map(MediaHost::toString)
                    .collect(Collectors.joining(", ")), deleteAfterCopy ? ", then deleted on Twilio" : "");
        }
    }

    /** Whether inbound messages queue their media's copies: Twilio credentials are configured. */
    public boolean copyEnabled() {
        return authorization != null;
    }

    /** Whether a copied item is deleted on Twilio once recorded (TWILIO_DELETE_MEDIA_AFTER_COPY). */
    public boolean deleteAfterCopy() {
        return deleteAfterCopy;
    }

    /**
     * The item at {@code url} (the body: from the message's media), downloaded under the media's
     * rules; refused unless its host is one of {@code TWILIO_MEDIA_HOSTS}. A refusal or failure is
     * counted here, by reason.
     */
    public Download download(String url) throws ImageRefusedException {
        try {
            URI uri;
            try {
                uri = URI.create(url == null ? "" : url.strip());
            } catch (IllegalArgumentException e) {
                throw new ImageRefusedException(Reason.URL, "not a URL: " + url);
            }
            if (!isMediaHost(uri)) {
                throw new ImageRefusedException(Reason.HOST_NOT_LISTED, "media host " + uri.getScheme() + "://"
                        + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                        + " is not in TWILIO_MEDIA_HOSTS; not fetched");
            }
            return fetcher.download(uri.toString(), rules);
        } catch (ImageRefusedException e) {
            failed.get(e.reason()).increment();
            throw e;
        }
    }

    /** The R2 key of item {@code item} of message {@code messageId}: messages/&lt;id&gt;/media-&lt;n&gt;.&lt;ext&gt;. */
    public String objectKey(String messageId, int item, Download media) {
        String id = URLEncoder.encode(messageId, StandardCharsets.UTF_8);
        return "messages/" + id + "/media-" + item + "." + EXTENSIONS.getOrDefault(media.contentType(), "bin");
    }

    /** What is recorded on the message's media item: the R2 key, the size and the SHA-256 (hex). */
    public Map<String, Object> copy(String key, Download media) {
        Map<String, Object> copy = new HashMap<>();
        copy.put("r2Key", key);
        copy.put("size", media.bytes().length);
        copy.put("sha256", sha256(media.bytes()));
        return copy;
    }

    /** The item is in R2 and recorded on its message. */
    public void copied(Download media) {
        copied.increment();
        bytes.increment(media.bytes().length);
    }

    /** Twilio refused the DELETE of a copied item (401, 403, another 4xx): it stays on Twilio. */
    public void deleteRefused() {
        deleteRefused.increment();
    }

    /** The Authorization header of the DELETE of a Media resource (only ever sent to its listed host). */
    public String authorization() {
        return authorization;
    }

    /**
     * The Media resource to DELETE: the item's URL, which Twilio names after the resource, when its
     * host is listed (it was, or the item would not have been copied) and it carries no query.
     */
    public String mediaResource(String url) {
        URI uri = URI.create(url.strip());
        if (!isMediaHost(uri) || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("not a Twilio Media resource: " + uri.getHost());
        }
        return uri.toString();
    }

    /** Whether {@code value} is a comma-separated list of {@code host} or {@code host:port} (for StartupSettings). */
    public static boolean isMediaHostList(String value) {
        return Arrays.stream(value.split(",")).map(String::strip)
                .allMatch(entry -> HOST_ENTRY.matcher(entry.toLowerCase(Locale.ROOT)).matches());
    }

    private boolean isMediaHost(URI uri) {
        return uri.getHost() != null && uri.getRawUserInfo() == null && hosts.stream().anyMatch(host -> host.names(uri));
    }

    private static String authorization(String accountSid, String authToken, String apiKeySid, String apiKeySecret) {
        String user;
        String password;
        if (!blank(apiKeySid) && !blank(apiKeySecret)) {
            user = apiKeySid.strip();
            password = apiKeySecret.strip();
        } else if (!blank(accountSid) && !blank(authToken)) {
            user = accountSid.strip();
            password = authToken.strip();
        } else {
            return null;
        }
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** An entry of TWILIO_MEDIA_HOSTS: a host (https on 443) or a host and port (http or https). */
    record MediaHost(String host, int port) {

        private static final Set<String> SCHEMES = Set.of("http", "https");

        /** {@code host} or {@code host:port}; IllegalArgumentException otherwise (StartupSettings says so first). */
        static MediaHost parse(String entry) {
            Matcher matcher = HOST_ENTRY.matcher(entry.strip().toLowerCase(Locale.ROOT));
            if (!matcher.matches()) {
                throw new IllegalArgumentException("TWILIO_MEDIA_HOSTS: \"" + entry + "\" is not host or host:port");
            }
            return new MediaHost(matcher.group(1), matcher.group(3) == null ? -1 : Integer.parseInt(matcher.group(3)));
        }

        boolean names(URI uri) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.getHost().toLowerCase(Locale.ROOT).equals(host)) {
                return false;
            }
            int uriPort = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            if (port < 0) {
                return scheme.equals("https") && uriPort == 443;
            }
            return SCHEMES.contains(scheme) && uriPort == port;
        }

        @Override
        public String toString() {
            return port < 0 ? host : host + ":" + port;
        }
    }
}
