package com.example.crm.webhooks.phone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Normalisation to E.164, and the digit strings the index lookup tries. */
class PhoneNumbersTest {

    private final PhoneNumbers australia = new PhoneNumbers("AU");
    private final PhoneNumbers unitedStates = new PhoneNumbers("us");

    @ParameterizedTest
    @ValueSource(strings = {"+61 412 345 678", "0412 345 678", "61412345678", "+61412345678", "(04) 1234-5678",
            " +61-412-345-678 ", "+61 (0) 412 345 678", "0011 61 412 345 678"})
    void everyWayOfWritingAnAustralianMobileIsOneNumberInRegionAu(String written) {
        assertThat(australia.toE164(written)).hasValue("+61412345678");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+61 412 345 678", "61412345678", "+61412345678", "011 61 412 345 678"})
    void numbersWithTheirCountryCodeReadTheSameInAnyRegion(String written) {
        assertThat(unitedStates.toE164(written)).hasValue("+61412345678");
    }

    @Test
    void nationalNumbersAreReadInTheDefaultRegion() {
        assertThat(unitedStates.toE164("(415) 555-2671")).hasValue("+14155552671");
        assertThat(unitedStates.toE164("0412 345 678")).isNotEqualTo(Optional.of("+61412345678"));
        assertThat(australia.toE164("(02) 9876 5432")).hasValue("+61298765432");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "ACME", "not a number", "+", "12"})
    void whatIsNoPhoneNumberNormalisesToNothing(String written) {
        assertThat(australia.toE164(written)).isEmpty();
    }

    @Test
    void theDigitFormsAreWithCountryCodeNationalWithTrunkPrefixAndNationalSignificant() {
        assertThat(australia.digitForms("+61412345678"))
                .containsExactly("61412345678", "0412345678", "412345678");
        assertThat(australia.digitForms("+14155552671"))
                .containsExactly("14155552671", "4155552671", "001114155552671");
        assertThat(unitedStates.digitForms("+61412345678"))
                .containsExactly("61412345678", "0412345678", "412345678", "01161412345678");
        // Canada shares the US country code: dialled from the US it is the form with the country code.
        assertThat(unitedStates.digitForms("+1 604 555 0199"))
                .containsExactly("16045550199", "6045550199");
    }

    @Test
    void aRememberedReadingIsTheSameOnceTheMemoryStartsOver() {
        PhoneNumbers phoneNumbers = new PhoneNumbers("AU");
        assertThat(phoneNumbers.toE164("0412 345 678")).contains("+61412345678");
        assertThat(phoneNumbers.toE164("not a number")).isEmpty();
        assertThat(phoneNumbers.toE164("not a number")).isEmpty();
        for (int i = 0; i <= PhoneNumbers.MAX_REMEMBERED; i++) {
            phoneNumbers.toE164("+614" + (10_000_000 + i));
        }
        assertThat(phoneNumbers.toE164("0412 345 678")).contains("+61412345678");
    }

    @Test
    void rememberedDigitFormsAreTheNumbersOwnAndCannotBeChanged() {
        PhoneNumbers phoneNumbers = new PhoneNumbers("AU");
        List<String> forms = phoneNumbers.digitForms("+61 412 345 678");

        assertThat(phoneNumbers.digitForms("0412345678"))
                .isEqualTo(forms).containsExactly("61412345678", "0412345678", "412345678");
        assertThatThrownBy(() -> forms.add("0")).isInstanceOf(UnsupportedOperationException.class);
        // Same E.164, but an extension the national format writes out: not the remembered forms.
        assertThat(phoneNumbers.digitForms("0412 345 678 ext. 9"))
                .contains("04123456789");
        assertThat(phoneNumbers.digitForms("+14155552671"))
                .containsExactly("14155552671", "4155552671", "001114155552671");
    }

    @Test
    void aTextThatReadsAsNoNumberHasNoDigitForms() {
        PhoneNumbers phoneNumbers = new PhoneNumbers("AU");
        assertThat(phoneNumbers.digitForms("not a number")).isEmpty();
        assertThat(phoneNumbers.digitForms(null)).isEmpty();
    }

    @Test
    void anUnknownDefaultRegionStopsStartUp() {
        assertThatThrownBy(() -> new PhoneNumbers("Australia")).hasMessageContaining("DEFAULT_PHONE_REGION");
        assertThatThrownBy(() -> new PhoneNumbers("")).hasMessageContaining("DEFAULT_PHONE_REGION");
    }
}
