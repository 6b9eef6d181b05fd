package com.example.crm.webhooks.phone;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Finds the contact a phone number belongs to, through the four columns the CRM keeps numbers in:
 * {@code contact_relationship_profiles.phone_number} and {@code .whatsapp_number},
 * {@code contacts.mobile} and {@code contacts.phone}. Both sides are compared in E.164.
 *
 * <p>Stored numbers are free text, so the lookup runs in two steps that both stay cheap at any
 * number of contacts. The route asks the database for candidates through the expression indexes
 * on {@code phone_digits(column)} (V2__twilio.sql), by the few digit strings the number can be
 * written as ({@link #digitForms}); then {@link #pick} normalises each candidate's stored value
 * with libphonenumber and keeps only the same E.164 number.
 *
 * <p>When several contacts match, the pick is deterministic: by column, the relationship profile's
 * number for the message's channel first ({@code whatsapp_number} for WhatsApp, {@code phone_number}
 * for SMS and RCS), then the other relationship profile number, then {@code contacts.mobile}, then
 * {@code contacts.phone}; within a column, the lowest contact id. The other contacts come with the
 * match, for the caller to log.
 */
@Component
public class ContactPhoneMatcher {

    /** Where a number was found: the {@code source} of a candidate row. */
    public enum PhoneColumn {
        RELATIONSHIP_PHONE_NUMBER("contact_relationship_profiles.phone_number"),
        RELATIONSHIP_WHATSAPP_NUMBER("contact_relationship_profiles.whatsapp_number"),
        CONTACT_MOBILE("contacts.mobile"),
        CONTACT_PHONE("contacts.phone");

        private final String column;

        PhoneColumn(String column) {
            this.column = column;
        }

        @Override
        public String toString() {
            return column;
        }
    }

    /** The contact a number belongs to, the column it was found in, and other contacts with the same number. */
    public record ContactMatch(String contactId, PhoneColumn column, List<String> otherContactIds) {
    }

    /** One stored number that is the same E.164 number. */
    private record Candidate(String contactId, PhoneColumn column) {
    }

    private static final List<PhoneColumn> SMS_PREFERENCE = List.of(PhoneColumn.RELATIONSHIP_PHONE_NUMBER,
            PhoneColumn.RELATIONSHIP_WHATSAPP_NUMBER, PhoneColumn.CONTACT_MOBILE, PhoneColumn.CONTACT_PHONE);
    private static final List<PhoneColumn> WHATSAPP_PREFERENCE = List.of(PhoneColumn.RELATIONSHIP_WHATSAPP_NUMBER,
            PhoneColumn.RELATIONSHIP_PHONE_NUMBER, PhoneColumn.CONTACT_MOBILE, PhoneColumn.CONTACT_PHONE);
    private static final String[] NO_FORMS = new String[0];

    private final PhoneNumbers phoneNumbers;

    public ContactPhoneMatcher(PhoneNumbers phoneNumbers) {
        this.phoneNumbers = phoneNumbers;
    }

    /** The E.164 form of {@code number}, or null when it is not a phone number. */
    public String e164(String number) {
        return phoneNumbers.toE164(number).orElse(null);
    }

    /** The digit strings a stored copy of {@code number} may have: what the candidate lookup asks for (none for a non-number). */
    public String[] digitForms(String number) {
        return phoneNumbers.digitForms(number).toArray(NO_FORMS);
    }

    /**
     * The contact whose stored number is {@code e164}, among the candidate rows the lookup found
     * ({@code source}: a {@link PhoneColumn} name, {@code contact_id}, {@code stored}: the number as
     * stored); empty when none is. {@code whatsApp} says which relationship profile number is
     * preferred when several contacts match.
     */
    public Optional<ContactMatch> pick(String e164, List<Map<String, Object>> candidateRows, boolean whatsApp) {
        if (e164 == null || candidateRows == null || candidateRows.isEmpty()) {
            return Optional.empty();
        }
        List<PhoneColumn> preference = whatsApp ? WHATSAPP_PREFERENCE : SMS_PREFERENCE;
        List<Candidate> ranked = candidateRows.stream()
                .filter(row -> phoneNumbers.toE164((String) row.get("stored")).filter(e164::equals).isPresent())
                .map(row -> new Candidate((String) row.get("contact_id"), PhoneColumn.valueOf((String) row.get("source"))))
                .filter(candidate -> Objects.nonNull(candidate.contactId()))
                .sorted(Comparator.comparingInt((Candidate c) -> preference.indexOf(c.column()))
                        .thenComparing(Candidate::contactId))
                .toList();
        if (ranked.isEmpty()) {
            return Optional.empty();
        }
        Candidate pick = ranked.get(0);
        List<String> others = ranked.stream().map(Candidate::contactId).distinct()
                .filter(id -> !id.equals(pick.contactId())).toList();
        return Optional.of(new ContactMatch(pick.contactId(), pick.column(), others));
    }
}
