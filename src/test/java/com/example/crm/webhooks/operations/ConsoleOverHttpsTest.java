package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.Environment;

/**
 * Over HTTPS the console's session and token cookies are Secure as well as SameSite=Strict, and the
 * console works. A second instance of the service serves its management port over TLS, with a
 * certificate made for this test.
 */
class ConsoleOverHttpsTest {

    private static final String STORE_PASSWORD = "console-test-keystore";

    @TempDir
    private Path directory;

    @Test
    void theCookiesAreSecureAndSameSiteStrictAndTheConsoleWorks() throws Exception {
        Path keyStore = selfSignedCertificate();
        try (ServiceInstance service = ServiceInstance.start("console-https", TestInfrastructure.jdbcUrl(), Map.of(
                "server.ssl.key-store", keyStore.toUri().toString(),
                "server.ssl.key-store-type", "PKCS12",
                "server.ssl.key-store-password", STORE_PASSWORD))) {
            String port = service.bean(Environment.class).getProperty("local.server.port");

            ConsoleSession console = ConsoleSession.logIn("https://127.0.0.1:" + port, trusting(keyStore));

            List<String> cookies = console.loginCookies();
            assertThat(cookies).anySatisfy(cookie -> assertThat(cookie).startsWith("JSESSIONID="))
                    .anySatisfy(cookie -> assertThat(cookie).startsWith("XSRF-TOKEN="));
            assertThat(cookies).allSatisfy(cookie -> assertThat(cookie)
                    .containsIgnoringCase("; Secure").containsIgnoringCase("; SameSite=Strict"));
            assertThat(console.jolokia(new ObjectMapper().createObjectNode().put("type", "version")).get("status").asInt())
                    .isEqualTo(200);
        }
    }

    /** A PKCS12 key store with a key and a self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
    private Path selfSignedCertificate() throws Exception {
        Path keyStore = directory.resolve("console.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "console", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD)
                .redirectErrorStream(true).redirectOutput(directory.resolve("keytool.log").toFile()).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(keytool.exitValue()).as(Files.readString(directory.resolve("keytool.log"))).isZero();
        return keyStore;
    }

    private static SSLContext trusting(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }
}
