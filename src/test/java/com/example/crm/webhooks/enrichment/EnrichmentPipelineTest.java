package com.example.crm.webhooks.enrichment;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookClient;
import com.example.crm.webhooks.support.WebhookServiceTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The whole pipeline, from a resolve callback to the entity enriched and its picture in R2:
 * WireMock plays Reverse Contact and the image host, PostgreSQL and s3proxy are real.
 */
class EnrichmentPipelineTest extends WebhookServiceTest {

    static final String RESOLVE = "/api/webhooks/reversecontact/resolve";
    static final String COMPANY_URL = "https://www.linkedin.com/company/analytical-engines";
    static final String ADA_URL = "https://www.linkedin.com/in/ada-lovelace";
    static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    ObjectMapper objectMapper;

    final WireMockServer thirdParties = TestInfrastructure.thirdParties();

    @Test
    void enrichesACompanyAndCopiesItsLogoToR2() {
        byte[] logo = image("analytical-engines-logo.png");
        stubImage("/cdn/logo.png", "image/png", logo);
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/companies"))
                .withHeader("Authorization", equalTo("Bearer " + TestInfrastructure.REVERSECONTACT_API_KEY))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"url\":\"" + COMPANY_URL + "\"}"))
                .willReturn(okJson(json(Map.of("success", true, "data", Map.of(
                        "name", "Analytical Engines Ltd",
                        "description", "Engines that weave algebraic patterns.",
                        "specialities", List.of("Difference engines", "Punched cards"),
                        "linkedInUrl", COMPANY_URL,
                        "logo", imageHost() + "/cdn/logo.png"))))));
        jdbc.update("insert into companies (id) values ('co-1')");

        resolve("company", "co-1", COMPANY_URL);

        awaitJobState("done");
        Map<String, Object> company = jdbc.queryForMap("""
                select name, description, array_to_string(specialties, '|') as specialties, logo_key,
                       linkedin_profile->>'name' as profile_name, enriched_at is not null as enriched
                  from companies where id = 'co-1'""");
        assertThat(company).containsEntry("name", "Analytical Engines Ltd")
                .containsEntry("description", "Engines that weave algebraic patterns.")
                .containsEntry("specialties", "Difference engines|Punched cards")
                .containsEntry("logo_key", "companies/co-1/logo.png")
                .containsEntry("profile_name", "Analytical Engines Ltd")
                .containsEntry("enriched", true);
        assertObjectInR2("companies/co-1/logo.png", logo, "image/png");
        assertThat(jdbc.queryForObject("select last_error from enrichment_jobs", String.class)).isNull();
    }

    @Test
    void keepsACompanysNameAndAcceptsSpecialtiesAsText() {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/companies")).willReturn(okJson(json(Map.of(
                "success", true, "data", Map.of("name", "Other Name", "specialties", "Looms, Cards ,  ,Steam"))))));
        jdbc.update("insert into companies (id, name, description) values ('co-1', 'Our Name', 'kept')");

        resolve("company", "co-1", COMPANY_URL);

        awaitJobState("done");
        assertThat(jdbc.queryForMap("""
                select name, description, array_to_string(specialties, '|') as specialties, logo_key
                  from companies where id = 'co-1'"""))
                .containsEntry("name", "Our Name")
                .containsEntry("description", "kept")
                .containsEntry("specialties", "Looms|Cards|Steam")
                .containsEntry("logo_key", null);
    }

    @Test
    void enrichesAContactAndCopiesItsPictureToR2() {
        byte[] picture = image("ada-lovelace.png");
        stubImage("/cdn/ada.png", "image/png", picture);
        stubPerson(ADA_URL, Map.of("firstName", "Ada", "lastName", "Lovelace",
                "headline", "Mathematician, first programmer", "linkedinUrl", ADA_URL,
                "photoUrl", imageHost() + "/cdn/ada.png"));
        jdbc.update("insert into contacts (id, first_name) values ('ct-1', 'Augusta')");

        resolve("contact", "ct-1", ADA_URL);

        awaitJobState("done");
        assertThat(jdbc.queryForMap("""
                select first_name, last_name, headline, profile_picture_key,
                       linkedin_profile->>'headline' as profile_headline, enriched_at is not null as enriched
                  from contacts where id = 'ct-1'"""))
                .containsEntry("first_name", "Augusta") // not overwritten
                .containsEntry("last_name", "Lovelace")
                .containsEntry("headline", "Mathematician, first programmer")
                .containsEntry("profile_picture_key", "contacts/ct-1/avatar.png")
                .containsEntry("profile_headline", "Mathematician, first programmer")
                .containsEntry("enriched", true);
        assertObjectInR2("contacts/ct-1/avatar.png", picture, "image/png");
    }

    @Test
    void enrichesAPersonWithoutCopyingAnything() {
        stubPerson(ADA_URL, Map.of("firstName", "Ada", "lastName", "Lovelace", "headline", "Mathematician",
                "photoUrl", imageHost() + "/cdn/ada.png"));
        jdbc.update("insert into people (id) values ('p-1')");

        resolve("person", "p-1", ADA_URL);

        awaitJobState("done");
        assertThat(jdbc.queryForMap("""
                select first_name, last_name, headline, linkedin_profile->>'lastName' as profile_last_name,
                       enriched_at is not null as enriched
                  from people where id = 'p-1'"""))
                .containsEntry("first_name", "Ada")
                .containsEntry("last_name", "Lovelace")
                .containsEntry("headline", "Mathematician")
                .containsEntry("profile_last_name", "Lovelace")
                .containsEntry("enriched", true);
        thirdParties.verify(0, getRequestedFor(urlEqualTo("/cdn/ada.png")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254/latest/meta-data/iam/", "http://10.0.0.1/a.png", "http://[::1]:%d/cdn/ada.png",
            "http://localhost:%d/cdn/ada.png", "file:///etc/passwd"})
    void aRefusedPictureLeavesTheProfileSavedWithoutIt(String pictureUrl) {
        stubImage("/cdn/ada.png", "image/png", image("ada-lovelace.png"));
        stubPerson(ADA_URL, Map.of("headline", "Mathematician", "photoUrl", pictureUrl.formatted(thirdParties.port())));
        jdbc.update("insert into contacts (id) values ('ct-1')");

        resolve("contact", "ct-1", ADA_URL);

        awaitJobState("done");
        assertThat(jdbc.queryForMap("select headline, profile_picture_key from contacts"))
                .containsEntry("headline", "Mathematician").containsEntry("profile_picture_key", null);
        assertThat(jdbc.queryForObject("select last_error from enrichment_jobs", String.class)).startsWith("picture not copied: ");
        assertThat(db.count("dead_letters")).isZero();
        thirdParties.verify(0, getRequestedFor(urlEqualTo("/cdn/ada.png")));
    }

    @Test
    void runningAJobAgainChangesNothingButTheTimestamps() {
        byte[] picture = image("grace-hopper.png");
        stubImage("/cdn/grace.png", "image/png", picture);
        stubPerson("https://www.linkedin.com/in/grace-hopper", Map.of("firstName", "Grace", "headline", "Rear Admiral",
                "photoUrl", imageHost() + "/cdn/grace.png"));
        jdbc.update("insert into contacts (id) values ('ct-1')");
        resolve("contact", "ct-1", "https://www.linkedin.com/in/grace-hopper");
        awaitJobState("done");
        String columns = "select first_name, headline, profile_picture_key, linkedin_profile from contacts";
        Map<String, Object> first = jdbc.queryForMap(columns);

        jdbc.update("update enrichment_jobs set state = 'pending', next_attempt_at = now()"); // as if claimed again
        await().atMost(WAIT).until(() -> thirdParties.findAll(getRequestedFor(urlEqualTo("/cdn/grace.png"))).size() == 2
                && "done".equals(jdbc.queryForObject("select state from enrichment_jobs", String.class)));

        assertThat(jdbc.queryForMap(columns)).isEqualTo(first);
        assertObjectInR2("contacts/ct-1/avatar.png", picture, "image/png");
    }

    @Test
    void withoutAnApiKeyJobsWaitAndRunOnceTheServiceHasOne() {
        stubPerson(ADA_URL, Map.of("headline", "Mathematician"));
        String database = TestInfrastructure.newDatabase("enrichment_without_key");
        try (ServiceInstance withoutKey = ServiceInstance.start("enrichment-without-key", database,
                Map.of("reversecontact.api-key", ""))) {
            withoutKey.jdbc().update("insert into people (id) values ('p-1')");
            resolve(withoutKey.http(), "person", "p-1", ADA_URL);
            // Several polls pass (100 ms apart in tests) and the job is not touched.
            await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> withoutKey.jdbc().queryForMap(
                    "select state, attempts from enrichment_jobs").equals(Map.of("state", "pending", "attempts", 0)));
            assertThat(thirdParties.getAllServeEvents()).isEmpty();
            assertThat(withoutKey.jdbc().queryForObject("select count(*) from dead_letters", Integer.class)).isZero();
        }
        try (ServiceInstance withKey = ServiceInstance.start("enrichment-with-key", database, Map.of())) {
            await().atMost(WAIT).until(() -> "done".equals(
                    withKey.jdbc().queryForObject("select state from enrichment_jobs", String.class)));
            assertThat(withKey.jdbc().queryForObject("select headline from people", String.class)).isEqualTo("Mathematician");
        }
    }

    @Test
    void aStaleJobDoesNotOverwriteANewerUrl() {
        stubPerson(ADA_URL, Map.of("headline", "Old profile"));
        jdbc.update("insert into people (id, linkedin_url) values ('p-1', 'https://www.linkedin.com/in/someone-else')");
        jdbc.update("insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('person', 'p-1', ?)", ADA_URL);

        awaitJobState("done");
        thirdParties.verify(0, postRequestedFor(urlEqualTo("/v2/fetch/persons")));
        assertThat(jdbc.queryForObject("select headline from people", String.class)).isNull();
        assertThat(jdbc.queryForObject("select last_error from enrichment_jobs", String.class)).startsWith("superseded: ");
    }

    /** WireMock by the address application-test.yaml trusts (its baseUrl says localhost, which is not trusted). */
    String imageHost() {
        return "http://127.0.0.1:" + thirdParties.port();
    }

    void resolve(String type, String id, String linkedinUrl) {
        resolve(http, type, id, linkedinUrl);
    }

    static void resolve(WebhookClient service, String type, String id, String linkedinUrl) {
        var response = service.postJson(RESOLVE + "?type=" + type + "&id=" + id,
                "{\"data\":{\"linkedinUrl\":\"" + linkedinUrl + "\"}}");
        assertThat(response.statusCode()).isEqualTo(200);
    }

    void awaitJobState(String state) {
        await().atMost(WAIT).until(() -> state.equals(
                jdbc.queryForList("select state from enrichment_jobs", String.class).stream().findFirst().orElse(null)));
    }

    void stubPerson(String linkedinUrl, Map<String, Object> data) {
        thirdParties.stubFor(post(urlEqualTo("/v2/fetch/persons"))
                .withHeader("Authorization", equalTo("Bearer " + TestInfrastructure.REVERSECONTACT_API_KEY))
                .withRequestBody(equalToJson("{\"url\":\"" + linkedinUrl + "\"}"))
                .willReturn(okJson(json(Map.of("success", true, "data", data)))));
    }

    void stubImage(String path, String contentType, byte[] bytes) {
        thirdParties.stubFor(get(urlPathEqualTo(path))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", contentType).withBody(bytes)));
    }

    void assertObjectInR2(String key, byte[] bytes, String contentType) {
        ProducerTemplate producer = camelContext.createProducerTemplate();
        Exchange read = producer.request("aws2-s3://" + TestInfrastructure.BUCKET + "?operation=getObject",
                exchange -> exchange.getMessage().setHeader(AWS2S3Constants.KEY, key));
        assertThat(read.getException()).isNull();
        assertThat(read.getMessage().getBody(byte[].class)).isEqualTo(bytes);
        assertThat(read.getMessage().getHeader(AWS2S3Constants.CONTENT_TYPE)).isEqualTo(contentType);
    }

    String json(Object value) {
        try {
            return objectMapper.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] image(String name) {
        try (InputStream in = EnrichmentPipelineTest.class.getResourceAsStream("/reversecontact-stand-in/__files/images/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
