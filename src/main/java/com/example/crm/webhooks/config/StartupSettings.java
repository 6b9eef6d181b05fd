package com.example.crm.webhooks.config;

import com.example.crm.webhooks.phone.PhoneNumbers;
import com.example.crm.webhooks.twilio.TwilioMediaCopies;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * The environment variables the service checks before anything starts: every one missing or
 * invalid is named in one message ({@link InvalidSettingsException}, reported by
 * {@link InvalidSettingsFailureAnalyzer}) and start-up stops, rather than Spring failing on the
 * first one it meets (the DataSource, naming no variable) or the service starting without a word
 * and failing at its first upload (R2). A new variable the service cannot run without is one more
 * line in {@link #SETTINGS}.
 *
 * <p>It runs once the environment is complete (application.yaml, profiles, command line, a test's
 * dynamic properties) and before any bean is made. Variables that are optional and only degrade
 * a feature (PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN) are not checked for being unset: their features
 * warn at start-up; an optional one is here when a value it has can be unusable (a callback secret
 * too short, an auth token with a blank inside, which no signature would ever match).
 * Registered in META-INF/spring.factories.
 */
public class StartupSettings implements ApplicationListener<ApplicationPreparedEvent> {

    /** The shortest callback secret taken: a shorter one could be guessed. */
    static final int MIN_SECRET_LENGTH = 32;
    /** Twilio's auth tokens are one word; blanks around one (a line break from a secret file) are dropped. */
    private static final Pattern AUTH_TOKEN = Pattern.compile("\\S+");
    /** Twilio's connection overrides: {@code key=value} pairs joined by {@code &}, after an optional {@code #}. */
    private static final Pattern CONNECTION_OVERRIDES = Pattern.compile("#?[a-z]+=[^&#\\s]+(&[a-z]+=[^&#\\s]+)*");

    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
    private static final Pattern API_KEY_SID = Pattern.compile("SK[0-9a-fA-F]{32}");

    /** What is checked, in the order the message lists it. A value is read through the property it binds to. */
    static final List<Setting> SETTINGS = List.of(
            Setting.required("SPRING_DATASOURCE_URL", "spring.datasource.url",
                            "the JDBC URL of PostgreSQL 15 or newer, e.g. jdbc:postgresql://db:5432/crm")
                    .validWhen(url -> url.startsWith("jdbc:postgresql:"), "is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)"),
            Setting.required("R2_ENDPOINT", "r2.endpoint", "R2's S3 endpoint, https://<account>.r2.cloudflarestorage.com")
                    .validWhen(StartupSettings::isHttpUrl, "is not an http(s) URL").showingValue(),
            Setting.required("R2_BUCKET", "r2.bucket", "the bucket for logos and profile pictures"),
            Setting.required("R2_ACCESS_KEY_ID", "r2.access-key-id", "the access key id of an R2 API token"),
            Setting.required("R2_SECRET_ACCESS_KEY", "r2.secret-access-key", "the secret access key of that R2 API token"),
            Setting.required("DEFAULT_PHONE_REGION", "phone.default-region", "an ISO 3166 region code such as US or AU (default US)")
                    .validWhen(PhoneNumbers::isSupportedRegion, "is not an ISO 3166 region code such as US or AU").showingValue(),
            Setting.required("PUBLIC_PORT", "webhooks.http.port", "the public port (default 8080)")
                    .validWhen(StartupSettings::isPort, "is not a port number (0 to 65535)").showingValue(),
            Setting.required("MANAGEMENT_SERVER_PORT", "server.port", "the management port (default 8081)")
                    .validWhen(StartupSettings::isPort, "is not a port number (0 to 65535)").showingValue(),
            Setting.required("INTAKE_SPOOL_DIR", "intake.spool-dir",
                            "a directory the service can write, for deliveries neither the database nor R2 takes (default data/intake)")
                    .validWhen(StartupSettings::isWritableDirectory, "is not a directory the service can create or write")
                    .showingValue(),
            Setting.optional("REVERSECONTACT_CALLBACK_SECRET", "reversecontact.callback-secret",
                            "unset, or at least " + MIN_SECRET_LENGTH + " characters, e.g. from openssl rand -hex 32")
                    .validWhen(secret -> secret.length() >= MIN_SECRET_LENGTH, "is too short"),
            Setting.optional("TWILIO_AUTH_TOKEN", "twilio.auth-token",
                            "the Auth Token of the Twilio account that owns the numbers (32 characters, no blanks)")
                    .validWhen(token -> AUTH_TOKEN.matcher(token).matches(), "has a blank inside"),
            Setting.optional("TWILIO_AUTH_TOKEN_SECONDARY", "twilio.auth-token-secondary",
                            "unset, or the account's other auth token while it is rotated (32 characters, no blanks)")
                    .validWhen(token -> AUTH_TOKEN.matcher(token).matches(), "has a blank inside"),
            Setting.optional("TWILIO_CONNECTION_OVERRIDES", "twilio.connection-overrides",
                            "unset, or the fragment of the URLs entered in Twilio, e.g. rc=2&rp=all&tt=14000")
                    .validWhen(overrides -> CONNECTION_OVERRIDES.matcher(overrides).matches(),
                            "is not key=value pairs joined by &").showingValue(),
            Setting.optional("TWILIO_ACCOUNT_SID", "twilio.account-sid", "unset, or the account's SID: AC and 32 hex digits")
                    .validWhen(sid -> ACCOUNT_SID.matcher(sid).matches(), "is not an account SID").showingValue(),
            Setting.optional("TWILIO_API_KEY_SID", "twilio.api-key-sid", "unset, or an API key's SID: SK and 32 hex digits")
                    .validWhen(sid -> API_KEY_SID.matcher(sid).matches(), "is not an API key SID").showingValue(),
            Setting.optional("TWILIO_MEDIA_HOSTS", "twilio.media.hosts",
                            "Twilio's media hosts, host or host:port, comma-separated (default api.twilio.com)")
                    .validWhen(TwilioMediaCopies::isMediaHostList, "is not a list of host or host:port").showingValue(),
            Setting.optional("INTAKE_SPOOL_KEY", "intake.spool-key",
                            "unset, or at least " + MIN_SECRET_LENGTH + " characters, e.g. from openssl rand -hex 32")
                    .validWhen(key -> key.length() >= MIN_SECRET_LENGTH, "is too short"));

    @Override
    public void onApplicationEvent(ApplicationPreparedEvent event) {
        List<String> problems = problems(event.getApplicationContext().getEnvironment());
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    /** One line per variable missing or invalid in {@code environment}. */
    static List<String> problems(Environment environment) {
        List<String> problems = new ArrayList<>();
        for (Setting setting : SETTINGS) {
            String problem = setting.problem(environment);
            if (problem != null) {
                problems.add(problem);
            }
        }
        boolean keySid = isSet(environment, "twilio.api-key-sid");
        if (keySid != isSet(environment, "twilio.api-key-secret")) {
            problems.add((keySid ? "TWILIO_API_KEY_SID is set without TWILIO_API_KEY_SECRET"
                    : "TWILIO_API_KEY_SECRET is set without TWILIO_API_KEY_SID")
                    + ": set both (an API key copies inbound media), or neither (TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN does)");
        }
        return problems;
    }

    private static boolean isSet(Environment environment, String property) {
        String value = environment.getProperty(property);
        return value != null && !value.isBlank();
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** An existing directory it can write, or one it could create: the nearest existing ancestor is writable. */
    private static boolean isWritableDirectory(String value) {
        Path directory;
        try {
            directory = Path.of(value).toAbsolutePath();
        } catch (InvalidPathException e) {
            return false;
        }
        for (Path existing = directory; existing != null; existing = existing.getParent()) {
            if (Files.exists(existing)) {
                return Files.isDirectory(existing) && Files.isWritable(existing);
            }
        }
        return false;
    }

    private static boolean isPort(String value) {
        try {
            int port = Integer.parseInt(value);
            return port >= 0 && port <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * One environment variable: the property it binds to (Spring's relaxed binding, or a
     * placeholder in application.yaml), what it should hold, and when a value is usable. Values
     * are shown in the message only where {@link #showingValue()} says so: the others may hold
     * secrets (a password in a JDBC URL).
     */
    record Setting(String variable, String property, String expected, Predicate<String> valid, String invalid,
                   boolean showValue, boolean optional) {

        static Setting required(String variable, String property, String expected) {
            return new Setting(variable, property, expected, value -> true, null, false, false);
        }

        /** Checked only when set. */
        static Setting optional(String variable, String property, String expected) {
            return new Setting(variable, property, expected, value -> true, null, false, true);
        }

        Setting validWhen(Predicate<String> condition, String whenNot) {
            return new Setting(variable, property, expected, condition, whenNot, showValue, optional);
        }

        Setting showingValue() {
            return new Setting(variable, property, expected, valid, invalid, true, optional);
        }

        /** What is wrong with this variable, or null. */
        String problem(Environment environment) {
            String value = environment.getProperty(property);
            if (value == null || value.isBlank()) {
                return optional ? null : variable + " is not set: " + expected;
            }
            if (valid.test(value.strip())) {
                return null;
            }
            return variable + (showValue ? " \"" + value + "\" " : " ") + invalid + ": " + expected;
        }
    }
}
