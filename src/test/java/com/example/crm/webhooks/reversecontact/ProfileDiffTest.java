package com.example.crm.webhooks.reversecontact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.flipkart.zjsonpatch.JsonPatch;
import org.junit.jupiter.api.Test;

/** The diff library is configured so patches say what changed, field by field and entry by entry. */
class ProfileDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aNewExperienceEntryIsOneAddAtItsIndex() {
        ProfileDiff diff = diff("""
                {"experience": [{"title": "Analyst"}, {"title": "Clerk"}]}""", """
                {"experience": [{"title": "Lead"}, {"title": "Analyst"}, {"title": "Clerk"}]}""");

        assertThat(diff.patch()).isEqualTo(json("""
                [{"op": "add", "path": "/experience/0", "value": {"title": "Lead"}}]"""));
        assertThat(diff.changedFields()).containsExactly("experience");
    }

    @Test
    void aChangeInsideAnEntryIsAReplaceAtItsPath() {
        ProfileDiff diff = diff("""
                {"experience": [{"title": "Analyst", "startEndDate": {"start": "1842", "end": null}}]}""", """
                {"experience": [{"title": "Analyst", "startEndDate": {"start": "1842", "end": "1843"}}]}""");

        assertThat(diff.patch()).isEqualTo(json("""
                [{"op": "replace", "path": "/experience/0/startEndDate/end", "value": "1843"}]"""));
    }

    @Test
    void aMovedValueIsARemoveAndAnAddSoBothFieldsCountAsChanged() {
        ProfileDiff diff = diff("""
                {"headline": "Analyst", "skills": ["a", "b"]}""", """
                {"summary": "Analyst", "skills": ["b", "a"]}""");

        assertThat(diff.patch().findValuesAsText("op")).doesNotContain("move", "copy");
        assertThat(diff.changedFields()).containsExactlyInAnyOrder("headline", "summary", "skills");
    }

    @Test
    void aRemoveCarriesNoValue() {
        ProfileDiff diff = diff("""
                {"headline": "Analyst", "skills": ["a"]}""", """
                {"headline": "Analyst"}""");

        assertThat(diff.patch()).isEqualTo(json("""
                [{"op": "remove", "path": "/skills"}]"""));
        assertThat(diff.changedFields()).containsExactly("skills");
    }

    @Test
    void changedFieldsAreUnescapedFromThePointer() {
        ProfileDiff diff = diff("""
                {"a/b": 1, "c~d": {"e": 1}}""", """
                {"a/b": 2, "c~d": {"e": 2}, "~1": true}""");

        assertThat(diff.patch().findValuesAsText("path")).containsExactly("/a~1b", "/c~0d/e", "/~01");
        assertThat(diff.changedFields()).containsExactly("a/b", "c~d", "~1");
    }

    @Test
    void equalProfilesGiveAnEmptyPatch() {
        ProfileDiff diff = diff("""
                {"firstName": "Ada", "location": {"city": "London"}}""", """
                {"location": {"city": "London"}, "firstName": "Ada"}""");

        assertThat(diff.patch()).isEqualTo(json("[]"));
        assertThat(diff.changedFields()).isEmpty();
        assertThat(ProfileDiff.none().patch()).isEqualTo(json("[]"));
    }

    @Test
    void applyingThePatchToThePreviousProfileGivesTheNewOne() {
        JsonNode previous = json("""
                {"firstName": "Ada", "experience": [{"title": "A"}, {"title": "B"}, {"title": "C"}], "skills": ["x"]}""");
        JsonNode current = json("""
                {"firstName": "Augusta Ada", "experience": [{"title": "C"}, {"title": "A", "x": 1}], "summary": "s"}""");

        assertThat(JsonPatch.apply(ProfileDiff.between(previous, current).patch(), previous)).isEqualTo(current);
    }

    @Test
    void aFieldWithAnArrayTooLongToDiffIsReplacedWholeAndSaysSo() {
        JsonNode previous = json("""
                {"firstName": "Ada", "skills": ["a", "b", "c", "d"], "experience": [{"title": "A", "tags": [1, 2, 3, 4, 5]}]}""");
        JsonNode current = json("""
                {"firstName": "Augusta", "skills": ["d", "e"], "experience": [{"title": "A", "tags": [1, 2, 3, 4, 6]}]}""");

        ProfileDiff diff = ProfileDiff.between(previous, current, 3);

        assertThat(diff.patch()).isEqualTo(json("""
                [{"op": "replace", "path": "/firstName", "value": "Augusta"},
                 {"op": "replace", "path": "/experience", "value": [{"title": "A", "tags": [1, 2, 3, 4, 6]}], "wholeValue": true},
                 {"op": "replace", "path": "/skills", "value": ["d", "e"], "wholeValue": true}]"""));
        assertThat(diff.changedFields()).containsExactly("experience", "firstName", "skills");
        assertThat(JsonPatch.apply(diff.patch(), previous)).isEqualTo(current);
    }

    @Test
    void aLongArrayThatDidNotChangeOrAppearsOrGoesIsOneOperationOrNone() {
        JsonNode previous = json("""
                {"skills": ["a", "b", "c", "d"], "languages": ["en", "fr", "de", "it"]}""");
        JsonNode current = json("""
                {"skills": ["a", "b", "c", "d"], "honors": ["x", "y", "z", "w"]}""");

        ProfileDiff diff = ProfileDiff.between(previous, current, 3);

        assertThat(diff.patch()).isEqualTo(json("""
                [{"op": "add", "path": "/honors", "value": ["x", "y", "z", "w"], "wholeValue": true},
                 {"op": "remove", "path": "/languages", "wholeValue": true}]"""));
        assertThat(JsonPatch.apply(diff.patch(), previous)).isEqualTo(current);
    }

    @Test
    void a100kElementDiffIsBoundedByReplacingTheArrayWhole() {
        var skills = JSON.createArrayNode();
        var others = JSON.createArrayNode();
        for (int n = 0; n < 100_000; n++) {
            skills.add("s" + n);
            others.add("o" + n);
        }
        JsonNode previous = JSON.createObjectNode().set("skills", skills);
        JsonNode current = JSON.createObjectNode().set("skills", others);

        ProfileDiff diff = ProfileDiff.between(previous, current, 1000);

        assertThat(diff.patch()).hasSize(1);
        assertThat(diff.patch().get(0).path("wholeValue").asBoolean()).isTrue();
        assertThat(JsonPatch.apply(diff.patch(), previous)).isEqualTo(current);
    }

    private static ProfileDiff diff(String previous, String current) {
        return ProfileDiff.between(json(previous), json(current));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
