package com.example.crm.webhooks.images;

import com.example.crm.webhooks.images.ImageRefusedException.Reason;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Downloads a picture named in a third party's payload without becoming an SSRF vector.
 * <ul>
 *   <li>http and https only, no user info;</li>
 *   <li>the host is resolved and refused when any address is not a public unicast address: every
 *       entry of IANA's special-purpose registries ({@link SpecialPurposeAddresses}: loopback,
 *       private, link-local with the cloud metadata address, unspecified, multicast, carrier-grade
 *       NAT, documentation, benchmarking, reserved...), IPv4 addresses spelled as IPv6 judged as
 *       the IPv4 address they carry; the connection then goes to exactly the checked addresses (no
 *       second lookup an attacker's DNS could answer differently);</li>
 *   <li>hosts listed in {@code enrichment.trusted-hosts} are exempt (local stand-ins only);</li>
 *   <li>redirects are followed by hand, at most {@value #MAX_REDIRECTS}, each hop checked again;</li>
 *   <li>only PNG, JPEG, GIF and WebP whose bytes match the declared type; SVG is refused (it can
 *       carry script); reading stops past {@code enrichment.max-image-bytes};</li>
 *   <li>connect and read timeouts, and a deadline for the whole download, redirects included
 *       (a host that drips its bytes, each in time for the read timeout, is cut off there);</li>
 *   <li>no proxy, no cookies.</li>
 * </ul>
 * Other downloads ({@link #download}: a Twilio media item) keep the same address checks, redirects
 * and deadline under their own {@link DownloadRules}: any content type, their own size limit and
 * deadline, and an Authorization header only on the hops whose URL the rules name (never on a
 * redirect to another host). There a failure that may pass (an HTTP 429 or 5xx, a dropped connection)
 * is a {@link DownloadFailedException}, which a job retries; every other failure is a refusal.
 */
@Component("safeImageFetcher")
public class SafeImageFetcher {

    static final int MAX_REDIRECTS = 3;

    private static final Map<String, String> EXTENSIONS = Map.of(
            "image/png", "png",
            "image/jpeg", "jpg",
            "image/gif", "gif",
            "image/webp", "webp");

    /** A media type as {@code type/subtype}, nothing else: it is stored as the object's Content-Type. */
    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");

    private final Set<String> trustedHosts;
    private final DownloadRules imageRules;
    private final CloseableHttpClient client;
    /** Cuts off downloads at their deadline: one thread for all, it only cancels requests. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "image-download-deadline");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param trustedHosts   host names or IPs exempt from the address checks (local stand-ins only)
     * @param maxBytes       largest image copied; reading stops past it
     * @param timeout        connect and read timeout of a download
     * @param deadline       the longest a whole download (redirects included) may take
     * @param maxConcurrency downloads that may run at once (the enrichment jobs running at once)
     */
    public SafeImageFetcher(@Value("${enrichment.trusted-hosts:}") List<String> trustedHosts,
                            @Value("${enrichment.max-image-bytes}") long maxBytes,
                            @Value("${enrichment.image-timeout}") Duration timeout,
                            @Value("${enrichment.image-deadline}") Duration deadline,
                            @Value("${enrichment.max-concurrency}") int maxConcurrency) {
        this.trustedHosts = trustedHosts.stream()
                .map(String::strip)
                .filter(host -> !host.isEmpty())
                .map(SafeImageFetcher::bareHost)
                .collect(Collectors.toUnmodifiableSet());
        this.imageRules = new DownloadRules(maxBytes, deadline, true, uri -> null);
        Timeout connectAndRead = Timeout.of(timeout);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new CheckingDnsResolver())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(connectAndRead)
                                .setSocketTimeout(connectAndRead)
                                .build())
                        .setMaxConnTotal(Math.max(2, maxConcurrency * 2))
                        .setMaxConnPerRoute(Math.max(2, maxConcurrency))
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(connectAndRead)
                        .setResponseTimeout(connectAndRead)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("webhook-service-enrichment")
                .build();
    }

    /**
     * What one kind of download may be.
     *
     * @param maxBytes      the largest body; reading stops past it
     * @param deadline      the longest the whole download, redirects included, may take
     * @param imagesOnly    only PNG, JPEG, GIF and WebP whose bytes match (else any {@code type/subtype})
     * @param authorization the Authorization header for a hop's URL, or null for none
     */
    public record DownloadRules(long maxBytes, Duration deadline, boolean imagesOnly,
                                Function<URI, String> authorization) {
    }

    /** A downloaded body and its content type ({@code type/subtype}, lower case). */
    public record Download(byte[] bytes, String contentType) {
    }

    /** The image at {@code url}, or the reason it is refused. */
    public FetchedImage fetch(String url) throws ImageRefusedException {
        Download image = download(url, imageRules);
        return new FetchedImage(image.bytes(), image.contentType(), EXTENSIONS.get(image.contentType()));
    }

    /** The body at {@code url} under {@code rules}, or the reason it is refused (or failed, for now). */
    public Download download(String url, DownloadRules rules) throws ImageRefusedException {
        long deadlineNanos = System.nanoTime() + rules.deadline().toNanos();
        URI uri = checkedUri(url);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            checkHost(uri);
            Object result = get(uri, deadlineNanos, rules);
            if (result instanceof Download body) {
                return body;
            }
            uri = checkedUri(uri.resolve((String) result).toString());
        }
        throw new ImageRefusedException(Reason.REDIRECTS, "more than " + MAX_REDIRECTS + " redirects from " + safe(url));
    }

    /** One GET, cancelled at the deadline wherever it is: the body, or the Location of a redirect. */
    private Object get(URI uri, long deadlineNanos, DownloadRules rules) throws ImageRefusedException {
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) {
            throw tookTooLong(uri, rules);
        }
        HttpGet request = new HttpGet(uri);
        request.setHeader("Accept", rules.imagesOnly() ? String.join(", ", EXTENSIONS.keySet()) : "*/*");
        String authorization = rules.authorization().apply(uri);
        if (authorization != null) {
            request.setHeader("Authorization", authorization);
        }
        AtomicBoolean cutOff = new AtomicBoolean();
        // Cancelling closes the connection, so a read blocked on a dripping host returns at once.
        ScheduledFuture<?> atDeadline = deadlines.schedule(() -> {
            cutOff.set(true);
            request.cancel();
        }, remainingNanos, TimeUnit.NANOSECONDS);
        ClassicHttpResponse response = null;
        boolean readToTheEnd = false;
        try {
            response = client.executeOpen(null, request, null);
            Object result = read(uri, response, rules);
            readToTheEnd = result instanceof Download;
            return result;
        } catch (ImageRefusal refusal) {
            if (cutOff.get()) {
                throw tookTooLong(uri, rules);
            }
            throw refusal.reason == Reason.UNAVAILABLE ? new DownloadFailedException(refusal.getMessage())
                    : new ImageRefusedException(refusal.reason, refusal.getMessage());
        } catch (UnknownHostException refused) {
            // The resolver's own check, at connect time: an address refused is no passing failure.
            throw new ImageRefusedException(Reason.ADDRESS, refused.getMessage());
        } catch (IOException e) {
            if (cutOff.get()) {
                throw tookTooLong(uri, rules);
            }
            throw new DownloadFailedException("download of " + safe(uri.toString()) + " failed: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } finally {
            atDeadline.cancel(false);
            if (!readToTheEnd) {
                request.cancel(); // drop the connection: closing normally would drain an unwanted body
            }
            closeQuietly(response);
        }
    }

    private static ImageRefusedException tookTooLong(URI uri, DownloadRules rules) {
        return new ImageRefusedException(Reason.DEADLINE, "download of " + safe(uri.toString()) + " took longer than "
                + readable(rules.deadline()) + "; cut off");
    }

    private static String readable(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        if (response != null) {
            try {
                response.close();
            } catch (IOException | RuntimeException ignored) {
                // the connection is gone either way
            }
        }
    }

    private static Object read(URI uri, ClassicHttpResponse response, DownloadRules rules) throws IOException {
        int status = response.getCode();
        if (status >= 300 && status < 400 && status != 304) {
            Header location = response.getFirstHeader("Location");
            if (location == null || location.getValue().isBlank()) {
                throw new ImageRefusal(Reason.HTTP_STATUS, "redirect without Location from " + safe(uri.toString()));
            }
            return location.getValue();
        }
        if (status != 200) {
            // Throttled or failing: worth another try later, where the caller retries at all.
            throw new ImageRefusal(status == 429 || status >= 500 ? Reason.UNAVAILABLE : Reason.HTTP_STATUS,
                    "HTTP " + status + " for " + safe(uri.toString()));
        }
        HttpEntity entity = response.getEntity();
        String contentType = entity == null || entity.getContentType() == null ? ""
                : ContentType.parse(entity.getContentType()).getMimeType().toLowerCase(Locale.ROOT);
        String what = rules.imagesOnly() ? "image" : "body";
        if (rules.imagesOnly() && !EXTENSIONS.containsKey(contentType)) {
            throw new ImageRefusal(Reason.CONTENT_TYPE, "content type \"" + contentType + "\" is not an allowed image type");
        }
        if (!rules.imagesOnly() && !MEDIA_TYPE.matcher(contentType).matches()) {
            contentType = "application/octet-stream";
        }
        long maxBytes = rules.maxBytes();
        if (entity.getContentLength() > maxBytes) {
            throw new ImageRefusal(Reason.TOO_LARGE, what + " larger than " + maxBytes + " bytes");
        }
        // Not closed here: closing drains the rest of the body; fetch() drops the connection instead.
        InputStream in = entity.getContent();
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw new ImageRefusal(Reason.TOO_LARGE, what + " larger than " + maxBytes + " bytes");
        }
        if (rules.imagesOnly() && !looksLike(contentType, bytes)) {
            throw new ImageRefusal(Reason.CONTENT_TYPE, "body is not a " + contentType + " image");
        }
        return new Download(bytes, contentType);
    }

    private static URI checkedUri(String url) throws ImageRefusedException {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw new ImageRefusedException(Reason.URL, "not a URL: " + safe(url));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ImageRefusedException(Reason.URL, "only http and https images are fetched, not " + safe(url));
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new ImageRefusedException(Reason.URL, "no plain host in " + safe(url));
        }
        return uri;
    }

    /** Resolves the host before any connection and refuses forbidden addresses. */
    private void checkHost(URI uri) throws ImageRefusedException {
        try {
            addressesOf(bareHost(uri.getHost()));
        } catch (UnknownHostException e) {
            throw new ImageRefusedException(Reason.ADDRESS, e.getMessage());
        }
    }

    /** The host's addresses, all allowed, or UnknownHostException saying why not. */
    private InetAddress[] addressesOf(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        if (trustedHosts.contains(host)) {
            return addresses;
        }
        for (InetAddress address : addresses) {
            Optional<String> forbidden = SpecialPurposeAddresses.reasonForbidden(address);
            if (forbidden.isPresent()) {
                throw new UnknownHostException("host " + host + " resolves to a non-public address ("
                        + address.getHostAddress() + ", " + forbidden.get() + "); refused");
            }
        }
        return addresses;
    }

    /** The bytes start the way the declared type's files do (magic numbers). */
    private static boolean looksLike(String contentType, byte[] b) {
        return switch (contentType) {
            case "image/png" -> startsWith(b, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a);
            case "image/jpeg" -> startsWith(b, 0xff, 0xd8, 0xff);
            case "image/gif" -> startsWith(b, 'G', 'I', 'F', '8');
            case "image/webp" -> startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12
                    && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P';
            default -> false;
        };
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String bareHost(String host) {
        String bare = host.toLowerCase(Locale.ROOT);
        return bare.startsWith("[") && bare.endsWith("]") ? bare.substring(1, bare.length() - 1) : bare;
    }

    /** A URL for a log line or last_error: without its query, which may carry a signed token. */
    private static String safe(String url) {
        if (url == null) {
            return "(none)";
        }
        String withoutQuery = url.replaceFirst("[?#].*$", "");
        return withoutQuery.length() <= 300 ? withoutQuery : withoutQuery.substring(0, 300) + "...";
    }

    @PreDestroy
    void close() throws IOException {
        deadlines.shutdownNow();
        client.close();
    }

    /** The connection goes only to addresses this resolver checked. */
    private final class CheckingDnsResolver implements DnsResolver {

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            return addressesOf(bareHost(host));
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            return resolve(host)[0].getCanonicalHostName();
        }
    }

    /** Carries a refusal out of the response handler, which may only throw IOException. */
    private static final class ImageRefusal extends IOException {
        final Reason reason;

        ImageRefusal(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }
    }
}
