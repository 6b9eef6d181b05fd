package com.example.crm.webhooks.phone;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Phone numbers as people type them, normalised to E.164 with libphonenumber. A number without a
 * country code is read in the configured default region ({@code DEFAULT_PHONE_REGION}), so with
 * region AU {@code +61 412 345 678}, {@code 0412 345 678}, {@code 61412345678} and
 * {@code +61412345678} are all {@code +61412345678}.
 */
@Component
public class PhoneNumbers {

    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
    /** How many readings (and digit forms) it keeps; past it, it starts over. */
    static final int MAX_REMEMBERED = 10_000;
    /** Longer texts (no phone number is) are read every time: a caller's text cannot fill memory. */
    private static final int MAX_REMEMBERED_LENGTH = 64;
    private static final Reading NOT_A_NUMBER = new Reading(new PhoneNumber(), "");

    private final String defaultRegion;
    private final int defaultCountryCode;
    /**
     * Readings by text, and digit forms by E.164. libphonenumber is the costliest step of an inbound
     * message, and the same senders and stored numbers
     * come back again and again.
     */
    private final Map<String, Reading> remembered = new ConcurrentHashMap<>();
    private final Map<String, List<String>> rememberedDigitForms = new ConcurrentHashMap<>();

    /** A text read as a number, with its E.164 form. */
    private record Reading(PhoneNumber number, String e164) {
    }

    public PhoneNumbers(@Value("${phone.default-region}") String defaultRegion) {
        if (!isSupportedRegion(defaultRegion)) {
            throw new IllegalArgumentException("DEFAULT_PHONE_REGION must be an ISO 3166 region code such as US or AU, not \""
                    + defaultRegion + "\"");
        }
        this.defaultRegion = normalisedRegion(defaultRegion);
        this.defaultCountryCode = UTIL.getCountryCodeForRegion(this.defaultRegion);
    }

    /** Whether {@code region} (any case, blanks around it ignored) is a region libphonenumber knows: US, AU, ... */
    public static boolean isSupportedRegion(String region) {
        return UTIL.getSupportedRegions().contains(normalisedRegion(region));
    }

    private static String normalisedRegion(String region) {
        return region == null ? "" : region.strip().toUpperCase(Locale.ROOT);
    }

    /** The number {@code text} stands for, if it reads as one ({@link #read}), remembered. */
    private Optional<Reading> reading(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        if (text.length() > MAX_REMEMBERED_LENGTH) {
            return read(text.strip()).map(number -> new Reading(number, e164(number)));
        }
        Reading reading = remembered.get(text);
        if (reading == null) {
            reading = read(text.strip()).map(number -> new Reading(number, e164(number))).orElse(NOT_A_NUMBER);
            remember(remembered, text, reading);
        }
        return reading == NOT_A_NUMBER ? Optional.empty() : Optional.of(reading);
    }

    /** Past {@link #MAX_REMEMBERED} entries a map starts over: it cannot grow without bound. */
    private static <V> void remember(Map<String, V> map, String key, V value) {
        if (map.size() >= MAX_REMEMBERED) {
            map.clear();
        }
        map.put(key, value);
    }

    /**
     * In order: the number read in the default region, if valid there; else the digits of an
     * international number whose {@code +} was left off ({@code 61412345678} while the default region
     * is US), if valid; else the first reading, if it has a possible length (numbers libphonenumber's
     * metadata does not know yet still match).
     */
    private Optional<PhoneNumber> read(String trimmed) {
        PhoneNumber asTyped = tryParse(trimmed, defaultRegion);
        if (asTyped != null && UTIL.isValidNumber(asTyped)) {
            return Optional.of(asTyped);
        }
        if (!trimmed.startsWith("+")) {
            PhoneNumber international = tryParse("+" + trimmed, "ZZ");
            if (international != null && UTIL.isValidNumber(international)) {
                return Optional.of(international);
            }
        }
        if (asTyped != null && UTIL.isPossibleNumber(asTyped)) {
            return Optional.of(asTyped);
        }
        return Optional.empty();
    }

    /** {@code +61412345678} for any way of writing that number, or empty if it is not a phone number. */
    public Optional<String> toE164(String text) {
        return reading(text).map(Reading::e164);
    }

    private static String e164(PhoneNumber number) {
        return UTIL.format(number, PhoneNumberFormat.E164);
    }

    /**
     * The digits alone of the ways the number {@code text} stands for is commonly stored (none when
     * it stands for none): with its country code
     * ({@code 61412345678}, also what {@code +61 412 345 678} leaves), in national format with the
     * trunk prefix ({@code 0412345678}), the national significant number ({@code 412345678}), and,
     * for a number of another country than the default region's, as dialled from the default region
     * ({@code 01161412345678} from the US). A stored number whose digits are one of these is a
     * candidate; {@link #toE164} confirms it.
     */
    public List<String> digitForms(String text) {
        return reading(text).map(this::digitForms).orElse(List.of());
    }

    private List<String> digitForms(Reading reading) {
        if (reading.number().hasExtension()) {
            return formatDigitForms(reading.number()); // E.164 leaves the extension out, the national format does not
        }
        List<String> forms = rememberedDigitForms.get(reading.e164());
        if (forms == null) {
            forms = formatDigitForms(reading.number());
            remember(rememberedDigitForms, reading.e164(), forms);
        }
        return forms;
    }

    private List<String> formatDigitForms(PhoneNumber number) {
        String nationalSignificant = UTIL.getNationalSignificantNumber(number);
        LinkedHashSet<String> forms = new LinkedHashSet<>();
        forms.add(number.getCountryCode() + nationalSignificant);
        forms.add(digits(UTIL.format(number, PhoneNumberFormat.NATIONAL)));
        forms.add(nationalSignificant);
        // Within the default region's country code, dialling from it adds nothing to the forms above.
        if (number.getCountryCode() != defaultCountryCode) {
            forms.add(digits(UTIL.formatOutOfCountryCallingNumber(number, defaultRegion)));
        }
        forms.remove("");
        return List.copyOf(forms);
    }

    public String defaultRegion() {
        return defaultRegion;
    }

    private static String digits(String text) {
        StringBuilder digits = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            }
        }
        return digits.toString();
    }

    private static PhoneNumber tryParse(String text, String region) {
        try {
            return UTIL.parse(text, region);
        } catch (NumberParseException e) {
            return null;
        }
    }
}
