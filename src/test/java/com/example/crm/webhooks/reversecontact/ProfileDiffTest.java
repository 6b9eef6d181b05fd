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
