package com.example.crm.webhooks.phone;

import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.sql.Array;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Finds the contact a phone number belongs to, through the four columns the CRM keeps numbers in:
 * {@code contact_relationship_profiles.phone_number} and {@code .whatsapp_number},
 * {@code contacts.mobile} and {@code contacts.phone}. Both sides are compared in E.164.
 *
 * <p>Stored numbers are free text, so the lookup runs in two steps that both stay cheap at any
 * number of contacts: the database finds candidates through the expression indexes on
 * {@code phone_digits(column)} (V2__twilio.sql), by the few digit strings the number can be
 * written as ({@link PhoneNumbers#digitForms}); then each candidate's stored value is normalised
 * with libphonenumber and kept only if it is the same E.164 number.
 *
 * <p>When several contacts match, the pick is deterministic: by column, the relationship profile's
 * number for the message's channel first ({@code whatsapp_number} for WhatsApp, {@code phone_number}
 * for SMS), then the other relationship profile number, then {@code contacts.mobile}, then
 * {@code contacts.phone}; within a column, the lowest contact id. The other contacts come with the
 * match, for the caller to log.
 */
@Component
public class ContactPhoneMatcher {

    /** One indexed lookup per column; each {@code ?} is the same text[] of digit strings. */
    static final String CANDIDATES_SQL = """
            select 'RELATIONSHIP_PHONE_NUMBER' as source, contact_id, phone_number as stored
              from contact_relationship_profiles
             where phone_digits(phone_number) = any(?) and contact_id is not null
            union all
            select 'RELATIONSHIP_WHATSAPP_NUMBER', contact_id, whatsapp_number
              from contact_relationship_profiles
             where phone_digits(whatsapp_number) = any(?) and contact_id is not null
            union all
            select 'CONTACT_MOBILE', id, mobile from contacts where phone_digits(mobile) = any(?)
            union all
            select 'CONTACT_PHONE', id, phone from contacts where phone_digits(phone) = any(?)
            """;

    /** Where a number was found. */
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

    private final JdbcTemplate jdbc;
    private final PhoneNumbers phoneNumbers;

    public ContactPhoneMatcher(JdbcTemplate jdbc, PhoneNumbers phoneNumbers) {
        this.jdbc = jdbc;
        this.phoneNumbers = phoneNumbers;
    }

    /**
     * The contact {@code number} belongs to, or empty when it is not a phone number or no contact has it.
     * {@code whatsApp} says which relationship profile number is preferred when several contacts match.
     */
    public Optional<ContactMatch> match(String number, boolean whatsApp) {
        Optional<PhoneNumber> parsed = phoneNumbers.parse(number);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        String e164 = PhoneNumbers.e164(parsed.get());
        String[] digitForms = phoneNumbers.digitForms(parsed.get()).toArray(String[]::new);
        List<Candidate> candidates = jdbc.query(CANDIDATES_SQL, statement -> {
            Array forms = statement.getConnection().createArrayOf("text", digitForms);
            for (int i = 1; i <= 4; i++) {
                statement.setArray(i, forms);
            }
        }, (row, n) -> phoneNumbers.toE164(row.getString("stored")).filter(e164::equals).isPresent()
                ? new Candidate(row.getString("contact_id"), PhoneColumn.valueOf(row.getString("source")))
                : null);
        List<PhoneColumn> preference = whatsApp ? WHATSAPP_PREFERENCE : SMS_PREFERENCE;
        List<Candidate> ranked = candidates.stream()
                .filter(Objects::nonNull)
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
