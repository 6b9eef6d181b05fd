package com.example.crm.webhooks.images;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The image download refuses everything an SSRF would need, before any connection: WireMock on
 * loopback sees no request for a refused URL, and no traffic leaves the machine (private and
 * metadata addresses are refused after resolution, never dialled). No Spring context needed.
 */
class SafeImageFetcherTest {

    private static final byte[] PNG = png();

    private final WireMockServer server = TestInfrastructure.thirdParties();
    private SafeImageFetcher trustingLoopback;
    private SafeImageFetcher trustingNothing;

    @BeforeEach
    void fetchers() {
        server.resetAll();
        trustingLoopback = fetcher(List.of("127.0.0.1"), 64 * 1024);
        trustingNothing = fetcher(List.of(), 64 * 1024);
    }

    @AfterEach
    void close() throws IOException {
        trustingLoopback.close();
        trustingNothing.close();
    }

    @Test
    void fetchesAnImageFromATrustedHost() throws Exception {
        stub("/a.png", "image/png", PNG);

        FetchedImage image = trustingLoopback.fetch(local("/a.png"));

        assertThat(image.bytes()).isEqualTo(PNG);
        assertThat(image.contentType()).isEqualTo("image/png");
        assertThat(image.extension()).isEqualTo("png");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://10.0.0.1/a.png",
            "http://172.16.5.4/a.png",
            "http://192.168.1.1/a.png",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://100.64.0.1/a.png",
            "http://0.0.0.0/a.png",
            "http://224.0.0.1/a.png",
            "http://[::ffff:10.0.0.1]/a.png",
            "http://[::ffff:169.254.169.254]/a.png",
            "http://[fe80::1]/a.png",
            "http://[fc00::1]/a.png",
            "http://[::]/a.png",
            "https://10.1.2.3/a.png"})
    void refusesPrivateLinkLocalAndMetadataAddresses(String url) {
        assertThatThrownBy(() -> trustingLoopback.fetch(url))
                .isInstanceOf(ImageRefusedException.class)
                .hasMessageContaining("non-public address");
    }

    /** Ranges the old hand-written check let through (IANA's special-purpose registry refuses them). */
    @ParameterizedTest
    @ValueSource(strings = {
            "http://192.0.2.1/a.png",
            "http://198.51.100.7/a.png",
            "http://203.0.113.200/a.png",
            "http://198.18.0.1/a.png",
            "http://198.19.255.254/a.png",
            "http://[2001:db8::1]/a.png",
            "http://[2001:db8:ffff::7]/a.png",
            "http://[::ffff:192.0.2.1]/a.png",
            "http://[64:ff9b::c633:6407]/a.png"})
    void refusesDocumentationAndBenchmarkingAddresses(String url) {
        assertThatThrownBy(() -> trustingNothing.fetch(url))
                .isInstanceOf(ImageRefusedException.class)
                .hasMessageContaining("non-public address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "127.1.2.3"})
    void refusesLoopbackUnlessTheHostIsTrusted(String host) {
        stub("/a.png", "image/png", PNG);

        assertThatThrownBy(() -> trustingNothing.fetch("http://" + host + ":" + server.port() + "/a.png"))
                .isInstanceOf(ImageRefusedException.class)
                .hasMessageContaining("non-public address");
        server.verify(0, getRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void aTrustedAddressDoesNotTrustAnotherNameForIt() {
        stub("/a.png", "image/png", PNG);
        assertThatThrownBy(() -> trustingLoopback.fetch("http://localhost:" + server.port() + "/a.png"))
                .isInstanceOf(ImageRefusedException.class);
        server.verify(0, getRequestedFor(urlPathMatching(".*")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1/a.png", "file:///etc/passwd", "gopher://127.0.0.1/", "javascript:alert(1)",
            "/relative.png", "", "http:///a.png", "http://user:pw@127.0.0.1/a.png", "not a url"})
    void refusesWhatIsNotAPlainHttpUrl(String url) {
        assertThatThrownBy(() -> trustingLoopback.fetch(url)).isInstanceOf(ImageRefusedException.class);
        server.verify(0, getRequestedFor(urlPathMatching(".*")));
    }

    @Test
    void refusesWhatIsNotAnAllowedImage() {
        stub("/page", "text/html", "<html></html>".getBytes());
        stub("/script.svg", "image/svg+xml", "<svg onload=\"alert(1)\"/>".getBytes());
        stub("/fake.png", "image/png", "<html>not a png</html>".getBytes());
        stub("/untyped", null, PNG);

        for (String path : List.of("/page", "/script.svg", "/fake.png", "/untyped")) {
            assertThatThrownBy(() -> trustingLoopback.fetch(local(path))).as(path).isInstanceOf(ImageRefusedException.class);
        }
    }

    @Test
    void refusesAnImageOverTheSizeLimitWithOrWithoutContentLength() {
        byte[] large = Arrays.copyOf(PNG, 64 * 1024 + 1);
        stub("/large.png", "image/png", large);
        server.stubFor(get(urlPathEqualTo("/chunked.png")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/png").withHeader("Transfer-Encoding", "chunked").withBody(large)));

        assertThatThrownBy(() -> trustingLoopback.fetch(local("/large.png"))).hasMessageContaining("larger than");
        assertThatThrownBy(() -> trustingLoopback.fetch(local("/chunked.png"))).hasMessageContaining("larger than");
    }

    @Test
    void followsAFewRedirectsCheckingEachHop() throws Exception {
        stub("/a.png", "image/png", PNG);
        redirect("/hop1", local("/a.png"));
        redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/");
        redirect("/to-file", "file:///etc/passwd");
        redirect("/loop", "/loop");

        assertThat(trustingLoopback.fetch(local("/hop1")).bytes()).isEqualTo(PNG);
        assertThatThrownBy(() -> trustingLoopback.fetch(local("/to-metadata"))).hasMessageContaining("non-public address");
        assertThatThrownBy(() -> trustingLoopback.fetch(local("/to-file"))).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> trustingLoopback.fetch(local("/loop"))).hasMessageContaining("redirects");
        server.verify(SafeImageFetcher.MAX_REDIRECTS + 1, getRequestedFor(urlPathEqualTo("/loop")));
    }

    @Test
    void aMissingImageOrASlowHostIsRefused() throws Exception {
        server.stubFor(get(urlPathEqualTo("/slow.png")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/png").withBody(PNG).withFixedDelay(3000)));
        SafeImageFetcher withOneSecondReads = new SafeImageFetcher(List.of("127.0.0.1"), 64 * 1024, Duration.ofSeconds(1),
                Duration.ofSeconds(30), 2);
        try {
            assertThatThrownBy(() -> withOneSecondReads.fetch(local("/missing.png"))).hasMessageContaining("HTTP 404");
            assertThatThrownBy(() -> withOneSecondReads.fetch(local("/slow.png"))).hasMessageContaining("failed");
        } finally {
            withOneSecondReads.close();
        }
    }

    @Test
    void aDownloadThatDripsIsCutOffAtItsDeadlineThoughEveryReadIsInTime() throws Exception {
        // 16 chunks over 8 s: one every 0.5 s, inside the read timeout, but 8 s in all.
        server.stubFor(get(urlPathEqualTo("/drip.png")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "image/png").withBody(PNG).withChunkedDribbleDelay(16, 8000)));
        SafeImageFetcher withDeadline = fetcher(List.of("127.0.0.1"), 64 * 1024, Duration.ofSeconds(2));
        try {
            assertThatThrownBy(() -> withDeadline.fetch(local("/drip.png")))
                    .isInstanceOf(ImageRefusedException.class)
                    .hasMessageContaining("longer than");
        } finally {
            withDeadline.close();
        }
    }

    @Test
    void aRefusalCarriesNoLineBreakOrControlCharacterFromTheUrl() {
        for (String url : List.of("http://127.0.0.1:1/a\r\n2026-01-01 INFO forged.png", "ftp://x/\u2028y\u0085z",
                "http://10.0.0.1/\u001b[31m\u009b.png", "not a url\u2029\r")) {
            assertThatThrownBy(() -> trustingLoopback.fetch(url)).as(url)
                    .isInstanceOf(ImageRefusedException.class)
                    .satisfies(refusal -> assertThat(refusal.getMessage())
                            .doesNotContain("\r", "\n", "\u2028", "\u2029", "\u0085", "\u001b", "\u009b"));
        }
    }

    private String local(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    private void stub(String path, String contentType, byte[] body) {
        var response = aResponse().withStatus(200).withBody(body);
        if (contentType != null) {
            response = response.withHeader("Content-Type", contentType);
        }
        server.stubFor(get(urlPathEqualTo(path)).willReturn(response));
    }

    private void redirect(String path, String location) {
        server.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(302).withHeader("Location", location)));
    }

    private static SafeImageFetcher fetcher(List<String> trustedHosts, long maxImageBytes) {
        return fetcher(trustedHosts, maxImageBytes, Duration.ofSeconds(30));
    }

    private static SafeImageFetcher fetcher(List<String> trustedHosts, long maxImageBytes, Duration deadline) {
        // A generous read timeout: WireMock's first answer in a cold JVM, on a busy machine, can take seconds.
        return new SafeImageFetcher(trustedHosts, maxImageBytes, Duration.ofSeconds(5), deadline, 2);
    }

    private static byte[] png() {
        try (InputStream in = SafeImageFetcherTest.class.getResourceAsStream(
                "/reversecontact-stand-in/__files/images/ada-lovelace.png")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
