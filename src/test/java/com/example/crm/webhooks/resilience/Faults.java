package com.example.crm.webhooks.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** What the fault tests share: Reverse Contact and image stubs on the shared WireMock. */
final class Faults {

    static final String RESOLVE = "/api/webhooks/reversecontact/resolve";
    static final String FETCH_PERSONS = "/v2/fetch/persons";
    static final String FETCH_COMPANIES = "/v2/fetch/companies";

    private Faults() {
    }

    static WireMockServer thirdParties() {
        return TestInfrastructure.thirdParties();
    }

    /** A LinkedIn profile URL of its own for each test entity. */
    static String linkedinUrl(String entityId) {
        return "https://www.linkedin.com/in/" + entityId;
    }

    /** The fetch of {@code linkedinUrl}'s person profile; the caller adds the answer. */
    static MappingBuilder fetchPerson(String linkedinUrl) {
        return fetch(FETCH_PERSONS, linkedinUrl);
    }

    /** The fetch of {@code linkedinUrl}'s company profile; the caller adds the answer. */
    static MappingBuilder fetchCompany(String linkedinUrl) {
        return fetch(FETCH_COMPANIES, linkedinUrl);
    }

    private static MappingBuilder fetch(String path, String linkedinUrl) {
        return post(urlEqualTo(path)).withRequestBody(equalToJson("{\"url\":\"" + linkedinUrl + "\"}"));
    }

    /** A profile with {@code headline}, and a picture on WireMock when {@code picturePath} is not null. */
    static String profile(String headline, String picturePath) {
        return "{\"success\":true,\"data\":{\"headline\":\"" + headline + "\""
                + (picturePath == null ? "" : ",\"photoUrl\":\"" + imageHost() + picturePath + "\"") + "}}";
    }

    static void stubProfile(String linkedinUrl, String headline, String picturePath, int delayMillis) {
        thirdParties().stubFor(fetchPerson(linkedinUrl).willReturn(okJson(profile(headline, picturePath)).withFixedDelay(delayMillis)));
    }

    static void stubPicture(String path, byte[] png) {
        stubImage(path, "image/png", png);
    }

    static void stubImage(String path, String contentType, byte[] bytes) {
        thirdParties().stubFor(get(urlPathEqualTo(path))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", contentType).withBody(bytes)));
    }

    /** WireMock by the address application-test.yaml trusts as an image host. */
    static String imageHost() {
        return "http://127.0.0.1:" + thirdParties().port();
    }

    static byte[] png() {
        try (InputStream in = Faults.class.getResourceAsStream("/reversecontact-stand-in/__files/images/ada-lovelace.png")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String resolveBody(String linkedinUrl) {
        return "{\"data\":{\"linkedinUrl\":\"" + linkedinUrl + "\"}}";
    }
}
