package com.example.crm.webhooks.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.TwilioRequests;
import com.twilio.security.RequestValidator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** For any form Twilio could post, our verifier agrees with the Twilio SDK's RequestValidator. */
class TwilioSignatureProperties {

    private static final String TOKEN = "property-token";
    private static final String BASE = "https://crm.example.com";
    private static final String PATH = "/api/webhooks/twilio/message-status";

    private final TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(TOKEN, "", "", BASE, new SimpleMeterRegistry());

    @Property(tries = 300)
    void acceptsEverySignatureTheSdkAccepts(
            @ForAll @Size(max = 12) Map<@AlphaChars @NumericChars @StringLength(min = 1, max = 20) String, @StringLength(max = 40) String> form,
            @ForAll boolean explicitPort) {
        String signature = TwilioRequests.signature(TOKEN, (explicitPort ? BASE + ":443" : BASE) + PATH, form);

        assertThat(verifier.isValid(PATH, multi(form), signature)).isTrue();
    }

    @Property(tries = 300)
    void rejectsAFormWithOneValueChangedAsTheSdkDoes(
            @ForAll @Size(min = 1, max = 12) Map<@AlphaChars @StringLength(min = 1, max = 20) String, @StringLength(max = 40) String> form,
            @ForAll @StringLength(min = 1, max = 3) String appended) {
        String signature = TwilioRequests.signature(TOKEN, BASE + PATH, form);
        Map<String, String> changed = new LinkedHashMap<>(form);
        String name = form.keySet().iterator().next();
        changed.put(name, form.get(name) + appended);

        assertThat(new RequestValidator(TOKEN).validate(BASE + PATH, changed, signature)).isFalse();
        assertThat(verifier.isValid(PATH, multi(changed), signature)).isFalse();
    }

    private static Map<String, List<String>> multi(Map<String, String> form) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        form.forEach((name, value) -> multi.put(name, List.of(value)));
        return multi;
    }
}
