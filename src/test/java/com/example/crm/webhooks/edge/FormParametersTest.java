package com.example.crm.webhooks.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Form bodies and query strings as names and values: decoded, in order, repeats kept, malformed ones refused. */
class FormParametersTest {

    @Test
    void decodesUtf8InArrivalOrderKeepingRepeatedNames() {
        assertThat(FormParameters.ofBody("From=%2B61412345678&Body=h%C3%A9llo+%26+bye&MediaUrl0=a&From=second"))
                .containsExactly(Map.entry("From", List.of("+61412345678", "second")),
                        Map.entry("Body", List.of("héllo & bye")), Map.entry("MediaUrl0", List.of("a")));
    }

    @Test
    void aFormFieldNeedsANameAndAnEqualsSign() {
        assertThatThrownBy(() -> FormParameters.ofBody("Body=a&NoValue")).isInstanceOfSatisfying(WebhookRejection.class,
                rejection -> assertThat(rejection.getMessage()).isEqualTo("malformed form body"));
        assertThatThrownBy(() -> FormParameters.ofBody("=value")).isInstanceOf(WebhookRejection.class);
        assertThatThrownBy(() -> FormParameters.ofBody("{\"json\": true}")).isInstanceOf(WebhookRejection.class);
    }

    @Test
    void malformedPercentEncodingIs400() {
        assertThatThrownBy(() -> FormParameters.ofBody("Body=%ZZ")).isInstanceOfSatisfying(WebhookRejection.class,
                rejection -> assertThat(rejection.getStatus()).isEqualTo(400));
        assertThatThrownBy(() -> FormParameters.ofQuery("type=%G1")).isInstanceOfSatisfying(WebhookRejection.class,
                rejection -> assertThat(rejection.getMessage()).isEqualTo("malformed query string"));
    }

    @Test
    void aQueryNameWithoutValueIsEmptyAndNothingIsNothing() {
        assertThat(FormParameters.ofQuery("type=company&flag&&id=")).containsExactly(
                Map.entry("type", List.of("company")), Map.entry("flag", List.of("")), Map.entry("id", List.of("")));
        assertThat(FormParameters.ofQuery(null)).isEmpty();
        assertThat(FormParameters.ofBody("")).isEmpty();
    }

    @Test
    void escapesWhoseBytesAreNotUtf8Are400NotReplaced() {
        for (String form : new String[] {"Body=%FF%FE", "Body=%C3", "Body=%C0%AF", "Body=%ED%A0%80", "B%FF=x", "Body=ok&To=%E2%82"}) {
            assertThatThrownBy(() -> FormParameters.ofBody(form)).as(form).isInstanceOfSatisfying(WebhookRejection.class,
                    rejection -> assertThat(rejection.getMessage()).isEqualTo("malformed form body: not valid UTF-8"));
        }
        assertThatThrownBy(() -> FormParameters.ofQuery("id=%FF")).isInstanceOfSatisfying(WebhookRejection.class,
                rejection -> assertThat(rejection.getMessage()).isEqualTo("malformed query string: not valid UTF-8"));
    }

    @Test
    void escapesAndRawTextDecodeTogether() {
        // A raw character and escaped bytes in one value; an escaped emoji is one code point of four bytes.
        assertThat(FormParameters.ofBody("Body=\u00e9%C3%A9+%F0%9F%98%80&To=%2b1"))
                .containsExactly(Map.entry("Body", List.of("\u00e9\u00e9 \uD83D\uDE00")), Map.entry("To", List.of("+1")));
    }

    @Test
    void anEscapeNeedsTwoAsciiHexDigits() {
        // U+0661 is ARABIC-INDIC DIGIT ONE: a digit to Character.digit, not a hex digit of a URL.
        for (String form : new String[] {"Body=%", "Body=%4", "Body=%\u0661\u0661", "Body=%+1"}) {
            assertThatThrownBy(() -> FormParameters.ofBody(form)).as(form).isInstanceOfSatisfying(WebhookRejection.class,
                    rejection -> assertThat(rejection.getMessage()).isEqualTo("malformed form body"));
        }
    }
}
