package com.example.crm.webhooks.reversecontact;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Recognises a LinkedIn URL and writes it in one canonical form, so the same profile is always
 * stored (and de-duplicated in {@code enrichment_jobs}) under the same text:
 * {@code https://www.linkedin.com<path>}, whatever the scheme, the (country) subdomain, a query,
 * a fragment or trailing slashes were. The path is kept as sent.
 */
public final class LinkedInUrls {

    private static final int MAX_LENGTH = 2048;

    private LinkedInUrls() {
    }

    /** The canonical form, or empty when {@code url} is not an http(s) URL on linkedin.com with a path. */
    public static Optional<String> normalise(String url) {
        if (url == null || url.isBlank() || url.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        boolean defaultPort = uri.getPort() == -1 || uri.getPort() == 80 || uri.getPort() == 443;
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getRawUserInfo() != null || !defaultPort
                || !(host.equals("linkedin.com") || host.endsWith(".linkedin.com"))) {
            return Optional.empty();
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.isEmpty()) {
            return Optional.empty(); // linkedin.com itself names no profile
        }
        return Optional.of("https://www.linkedin.com" + path);
    }
}
