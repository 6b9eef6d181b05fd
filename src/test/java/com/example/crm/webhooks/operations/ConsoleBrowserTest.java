package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.FileSystemUtils;

/**
 * An operator opens the console in a real browser (headless Debian Chromium, which
 * src/test/install-test-tools.sh installs before the tests), logs in, and sees the webhook routes.
 * Leaves target/console-screenshot.png.
 */
class ConsoleBrowserTest extends WebhookServiceTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @LocalServerPort
    private int managementPort;

    private WebDriver browser;
    /** Chromium's profile directory, deleted after the test. */
    private Path profile;

    @BeforeEach
    void browser() throws Exception {
        assertThat(List.of(CHROMIUM, CHROMEDRIVER)).as("Chromium and its driver (src/test/install-test-tools.sh installs them)")
                .allMatch(Files::isExecutable);
        if (camelContext.getRoute("test-console-webhook") == null) {
            camelContext.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("platform-http:/api/webhooks/test/console?httpMethodRestrict=POST")
                            .routeId("test-console-webhook")
                            .routeConfigurationId("webhook-errors")
                            .setBody(constant("{\"ok\":true}"));
                }
            });
        }
        profile = Files.createTempDirectory("console-browser-test");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1600,1000",
                "--user-data-dir=" + profile);
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            FileSystemUtils.deleteRecursively(profile);
        }
    }

    @Test
    void anOperatorLogsInAndSeesTheWebhookRoutes() throws Exception {
        http.postJson("/api/webhooks/test/console", "{}");
        String console = "http://127.0.0.1:" + managementPort + "/actuator/hawtio/camel/routes";
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));

        browser.get(console);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("username"))).sendKeys(ManagementClient.USERNAME);
        browser.findElement(By.name("password")).sendKeys(ManagementClient.PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();

        // Every webhook route, with its exchange counts, in the routes table of the context.
        List<String> webhookRoutes = camelContext.getRoutes().stream()
                .filter(route -> route.getEndpoint().getEndpointUri().startsWith("platform-http:"))
                .map(route -> route.getRouteId())
                .toList();
        try {
            wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//*[normalize-space(text())='routes']"))).click();
            wait.until(d -> d.findElements(By.xpath("//th[contains(., 'Completed')]")).size() > 0
                    && webhookRoutes.stream().allMatch(id -> d.findElements(By.xpath("//td[contains(., '" + id + "')]")).size() > 0));
        } finally {
            Files.writeString(Path.of("target/console-page.html"), browser.getPageSource());
            Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, Path.of("target/console-screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(webhookRoutes).contains("test-console-webhook");
        for (String route : webhookRoutes) {
            assertThat(browser.findElements(By.xpath("//td[contains(., '" + route + "')]"))).as(route).isNotEmpty();
        }
    }
}
