package com.example.crm.webhooks.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.ManagementClient;
import com.example.crm.webhooks.support.TwilioRequests;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code monitoring/} ask only for series
 * the running service exposes on /actuator/prometheus, so a renamed or removed meter breaks this
 * test instead of leaving a panel empty or an alert that can never fire. Names are compared with
 * the sample names of a scrape, which is what Prometheus stores ({@code x_total}, {@code x_sum},
 * {@code x_count}, {@code x_max}), so a query on a histogram's {@code x_bucket} fails unless the
 * service publishes buckets.
 */
class MonitoringMetricNamesTest extends WebhookServiceTest {

    private static final Path DASHBOARD = Path.of("monitoring/grafana-dashboard.json");
    private static final Path ALERT_RULES = Path.of("monitoring/prometheus-alerts.yaml");
    private static final Path ALERT_RULE_TESTS = Path.of("monitoring/prometheus-alerts.test.yaml");

    /** Series Prometheus makes itself for every target; the service cannot expose them. */
    private static final Set<String> PROMETHEUS_OWN_SERIES = Set.of(
            "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
            "scrape_series_added");

    @LocalServerPort
    private int managementPort;

    @BeforeEach
    void letTheWebhooksRun() {
        // Camel's timers per route appear once the route ran; the webhooks_* counters exist from the start.
        assertThat(http.postJson("/api/webhooks/reversecontact", "{\"subscriptionId\":\"none\"}").statusCode()).isEqualTo(404);
        assertThat(http.postJson("/api/webhooks/reversecontact/resolve?type=company&id=none",
                "{\"data\":{\"linkedinUrl\":\"https://www.linkedin.com/company/none\"}}").statusCode()).isEqualTo(404);
        TwilioRequests twilio = new TwilioRequests(http);
        assertThat(twilio.post(TwilioRequests.MESSAGE_STATUS, TwilioRequests.statusCallback("SM1", "sent")).statusCode())
                .isEqualTo(204);
    }

    @Test
    void everyMetricTheDashboardQueriesIsExposed() throws IOException {
        Set<String> used = metricNames(dashboardQueries());
        assertThat(used).as("metric names in %s", DASHBOARD)
                .contains("webhooks_accepted_total", "camel_route_policy_seconds_sum", "hikaricp_connections_active");
        assertThat(missingFrom(scrapedSeries(), used)).as("used by %s but not on /actuator/prometheus", DASHBOARD).isEmpty();
    }

    @Test
    void everyMetricTheAlertRulesUseIsExposed() throws IOException {
        Set<String> used = metricNames(alertExpressions());
        assertThat(used).as("metric names in %s", ALERT_RULES).contains("webhooks_rejected_total", "dead_letters_unreplayed", "up");
        assertThat(missingFrom(scrapedSeries(), used)).as("used by %s but not on /actuator/prometheus", ALERT_RULES).isEmpty();
    }

    @Test
    void theAlertRuleTestsFeedSeriesTheServiceExposes() throws IOException {
        Set<String> used = new TreeSet<>();
        for (String series : alertTestInputSeries()) {
            used.add(series.replaceFirst("\\{.*", "").trim());
        }
        assertThat(used).as("input series in %s", ALERT_RULE_TESTS).contains("enrichment_jobs");
        assertThat(missingFrom(scrapedSeries(), used)).as("fed by %s but not on /actuator/prometheus", ALERT_RULE_TESTS).isEmpty();
    }

    @Test
    void theNameReaderFindsMetricsAndNothingElse() {
        assertThat(metricNames(List.of(
                "sum by (endpoint, reason) (rate(webhooks_rejected_total{job=~\"$job\", reason=~\"a|b\"}[$__rate_interval])) > 0",
                "histogram_quantile(0.99, sum without (instance) (rate(x_seconds_bucket[5m])))",
                "max by (job) (delta(dead_letters_unreplayed[30m] offset 1h)) > 0 unless on (job) group_left (version) y_info",
                "a_total / ignoring (reason) b_total and bool c or d",
                "sum(increase(e_total{pool=\"webhooks-db\"}[$__range])) / 1e3",
                "label_values(webhooks_accepted_total{job=~\"$job\"}, instance)",
                "label_values(job)",
                "rate(f_seconds_count[${__interval}]) @ start()",
                "sum(g_total{reason=~\"a}b|[c]\"}) BY (reason)")))
                .containsExactlyInAnyOrder("webhooks_rejected_total", "x_seconds_bucket", "dead_letters_unreplayed", "y_info",
                        "a_total", "b_total", "c", "d", "e_total", "webhooks_accepted_total", "f_seconds_count", "g_total");
    }

    // ---- what the monitoring files ask for

    /** Every PromQL query of the dashboard: panel targets (rows nest theirs) and query variables. */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        collectTargets(dashboard.path("panels"), queries);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                queries.add(query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        assertThat(queries).as("queries in %s", DASHBOARD).isNotEmpty().doesNotContain("");
        return queries;
    }

    private static void collectTargets(JsonNode panels, List<String> queries) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
            collectTargets(panel.path("panels"), queries);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> alertExpressions() throws IOException {
        Map<String, Object> file = yaml(ALERT_RULES);
        List<String> expressions = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                expressions.add(String.valueOf(rule.get("expr")));
            }
        }
        assertThat(expressions).as("rules in %s", ALERT_RULES).isNotEmpty();
        return expressions;
    }

    @SuppressWarnings("unchecked")
    private static List<String> alertTestInputSeries() throws IOException {
        List<String> series = new ArrayList<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) yaml(ALERT_RULE_TESTS).get("tests")) {
            for (Map<String, Object> input : (List<Map<String, Object>>) test.get("input_series")) {
                series.add(String.valueOf(input.get("series")));
            }
        }
        return series;
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml().load(reader);
        }
    }

    // ---- reading metric names out of PromQL

    /** String literals (label values, regexes), removed first so that no brace or bracket inside one counts. */
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    /** Label matchers, range and subquery brackets, Grafana's variables: none holds a metric name. */
    private static final Pattern NOT_NAMES = Pattern.compile("\\{[^}]*}|\\[[^\\]]*]|\\$\\{[^}]*}|\\$\\w+");
    /** Label lists: {@code by (...)}, {@code without (...)}, {@code on (...)}, {@code ignoring (...)}, {@code group_left (...)}. */
    private static final Pattern LABEL_LISTS = Pattern.compile(
            "(?i)\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** A number (1e3, 0.5, 5m) is one token, so its letters are not read as a name. */
    private static final Pattern TOKEN = Pattern.compile("(?<number>\\d[\\w.]*)|(?<name>[A-Za-z_:][\\w:]*)(?<call>\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
            "atan2", "inf", "nan");
    /** Grafana's label_values(metric-or-selector, label): only the first argument names a metric. */
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*)\\)\\s*$", Pattern.DOTALL);

    static Set<String> metricNames(List<String> queries) {
        Set<String> names = new TreeSet<>();
        for (String query : queries) {
            names.addAll(metricNames(query));
        }
        return names;
    }

    private static Set<String> metricNames(String query) {
        String stripped = NOT_NAMES.matcher(STRINGS.matcher(query).replaceAll(" ")).replaceAll(" ");
        Matcher labelValues = LABEL_VALUES.matcher(stripped);
        if (labelValues.matches()) {
            // label_values(label) alone names no metric; with two arguments the metric comes first.
            String arguments = labelValues.group(1);
            stripped = arguments.contains(",") ? arguments.substring(0, arguments.lastIndexOf(',')) : "";
        }
        stripped = LABEL_LISTS.matcher(stripped).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher token = TOKEN.matcher(stripped);
        while (token.find()) {
            String name = token.group("name");
            if (name != null && token.group("call") == null && !KEYWORDS.contains(name.toLowerCase())) {
                names.add(name);
            }
        }
        return names;
    }

    // ---- what the service exposes

    /** The names of the series in one scrape, as Prometheus stores them (_total, _count, _sum, _max...). */
    private Set<String> scrapedSeries() {
        String scrape = ManagementClient.operator(managementPort).get("/actuator/prometheus").body();
        Set<String> series = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                series.add(line.split("[{ ]", 2)[0]);
            }
        }
        assertThat(series).as("series on /actuator/prometheus").contains("webhooks_accepted_total");
        return series;
    }

    private static Set<String> missingFrom(Set<String> scraped, Set<String> used) {
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(scraped);
        missing.removeAll(PROMETHEUS_OWN_SERIES);
        return missing;
    }
}
