package com.example.crm.webhooks.images;

import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 *   <li>the host is resolved and refused when any address is loopback, private (10/8, 172.16/12,
 *       192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata address, fe80::/10),
 *       unspecified, multicast, carrier-grade NAT (100.64/10) or otherwise reserved, IPv4-mapped
 *       IPv6 forms included; the connection then goes to exactly the checked addresses (no second
 *       lookup an attacker's DNS could answer differently);</li>
 *   <li>hosts listed in {@code enrichment.trusted-hosts} are exempt (local stand-ins only);</li>
 *   <li>redirects are followed by hand, at most {@value #MAX_REDIRECTS}, each hop checked again;</li>
 *   <li>only PNG, JPEG, GIF and WebP whose bytes match the declared type; SVG is refused (it can
 *       carry script); reading stops past {@code enrichment.max-image-bytes};</li>
 *   <li>connect and read timeouts, no proxy, no cookies.</li>
 * </ul>
 */
@Component("safeImageFetcher")
public class SafeImageFetcher {

    static final int MAX_REDIRECTS = 3;

    private static final Map<String, String> EXTENSIONS = Map.of(
            "image/png", "png",
            "image/jpeg", "jpg",
            "image/gif", "gif",
            "image/webp", "webp");

    private final Set<String> trustedHosts;
    private final long maxBytes;
    private final CloseableHttpClient client;

    /**
     * @param trustedHosts   host names or IPs exempt from the address checks (local stand-ins only)
     * @param maxBytes       largest image copied; reading stops past it
     * @param timeout        connect and read timeout of a download
     * @param maxConcurrency downloads that may run at once (the enrichment jobs running at once)
     */
    public SafeImageFetcher(@Value("${enrichment.trusted-hosts:}") List<String> trustedHosts,
                            @Value("${enrichment.max-image-bytes}") long maxBytes,
                            @Value("${enrichment.image-timeout}") Duration timeout,
                            @Value("${enrichment.max-concurrency}") int maxConcurrency) {
        this.trustedHosts = trustedHosts.stream()
                .map(String::strip)
                .filter(host -> !host.isEmpty())
                .map(SafeImageFetcher::bareHost)
                .collect(Collectors.toUnmodifiableSet());
        this.maxBytes = maxBytes;
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

    /** The image at {@code url}, or the reason it is refused. */
    public FetchedImage fetch(String url) throws ImageRefusedException {
        URI uri = checkedUri(url);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            checkHost(uri);
            Object result = get(uri);
            if (result instanceof FetchedImage image) {
                return image;
            }
            uri = checkedUri(uri.resolve((String) result).toString());
        }
        throw new ImageRefusedException("more than " + MAX_REDIRECTS + " redirects from " + safe(url));
    }

    /** One GET: the image, or the Location of a redirect. */
    private Object get(URI uri) throws ImageRefusedException {
        HttpGet request = new HttpGet(uri);
        request.setHeader("Accept", String.join(", ", EXTENSIONS.keySet()));
        ClassicHttpResponse response = null;
        boolean readToTheEnd = false;
        try {
            response = client.executeOpen(null, request, null);
            Object result = read(uri, response);
            readToTheEnd = result instanceof FetchedImage;
            return result;
        } catch (ImageRefusal refusal) {
            throw new ImageRefusedException(refusal.getMessage());
        } catch (IOException e) {
            throw new ImageRefusedException("download of " + safe(uri.toString()) + " failed: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } finally {
            if (!readToTheEnd) {
                request.cancel(); // drop the connection: closing normally would drain an unwanted body
            }
            closeQuietly(response);
        }
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

    private Object read(URI uri, ClassicHttpResponse response) throws IOException {
        int status = response.getCode();
        if (status >= 300 && status < 400 && status != 304) {
            Header location = response.getFirstHeader("Location");
            if (location == null || location.getValue().isBlank()) {
                throw new ImageRefusal("redirect without Location from " + safe(uri.toString()));
            }
            return location.getValue();
        }
        if (status != 200) {
            throw new ImageRefusal("HTTP " + status + " for " + safe(uri.toString()));
        }
        HttpEntity entity = response.getEntity();
        String contentType = entity == null || entity.getContentType() == null ? ""
                : ContentType.parse(entity.getContentType()).getMimeType().toLowerCase(Locale.ROOT);
        String extension = EXTENSIONS.get(contentType);
        if (extension == null) {
            throw new ImageRefusal("content type \"" + contentType + "\" is not an allowed image type");
        }
        if (entity.getContentLength() > maxBytes) {
            throw new ImageRefusal("image larger than " + maxBytes + " bytes");
        }
        // Not closed here: closing drains the rest of the body; fetch() drops the connection instead.
        InputStream in = entity.getContent();
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw new ImageRefusal("image larger than " + maxBytes + " bytes");
        }
        if (!looksLike(contentType, bytes)) {
            throw new ImageRefusal("body is not a " + contentType + " image");
        }
        return new FetchedImage(bytes, contentType, extension);
    }

    private static URI checkedUri(String url) throws ImageRefusedException {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw new ImageRefusedException("not a URL: " + safe(url));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ImageRefusedException("only http and https images are fetched, not " + safe(url));
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new ImageRefusedException("no plain host in " + safe(url));
        }
        return uri;
    }

    /** Resolves the host before any connection and refuses forbidden addresses. */
    private void checkHost(URI uri) throws ImageRefusedException {
        try {
            addressesOf(bareHost(uri.getHost()));
        } catch (UnknownHostException e) {
            throw new ImageRefusedException(e.getMessage());
        }
    }

    /** The host's addresses, all allowed, or UnknownHostException saying why not. */
    private InetAddress[] addressesOf(String host) throws UnknownHostException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        if (trustedHosts.contains(host)) {
            return addresses;
        }
        for (InetAddress address : addresses) {
            if (isForbidden(address)) {
                throw new UnknownHostException("image host " + host + " resolves to a non-public address ("
                        + address.getHostAddress() + "); refused");
            }
        }
        return addresses;
    }

    /** True for every address an image from a third party's payload must not come from. */
    static boolean isForbidden(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            InetAddress embedded = embeddedIpv4(b);
            if (embedded != null) {
                return isForbidden(embedded);
            }
            return address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                    || address.isSiteLocalAddress() || address.isMulticastAddress()
                    || (b[0] & 0xfe) == 0xfc; // fc00::/7 unique local (AWS metadata fd00:ec2::254)
        }
        byte[] b = address.getAddress();
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()
                || first == 0                                  // "this network"
                || (first == 100 && (second & 0xc0) == 64)     // 100.64/10 carrier-grade NAT
                || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0/24 protocol assignments
                || (first == 198 && (second & 0xfe) == 18)     // 198.18/15 benchmarking
                || first >= 240;                               // reserved and broadcast
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), -compatible (::a.b.c.d) or NAT64 address. */
    private static InetAddress embeddedIpv4(byte[] b) {
        boolean mapped = allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = allZero(b, 0, 12) && !allZero(b, 12, 16) && !(allZero(b, 12, 15) && b[15] == 1);
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b && allZero(b, 4, 12);
        if (!mapped && !compatible && !nat64) {
            return null;
        }
        try {
            return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
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
        ImageRefusal(String message) {
            super(message);
        }
    }
}
