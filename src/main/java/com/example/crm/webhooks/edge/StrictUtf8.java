package com.example.crm.webhooks.edge;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes a caller sent, as UTF-8 text, or a 400: never with U+FFFD in place of what does not decode.
 * A replacement would let two different byte strings read (and be signed, and be stored) as one.
 */
final class StrictUtf8 {

    private StrictUtf8() {
    }

    /** The text of {@code bytes}; a 400 with {@code refusal} as its message when they are not valid UTF-8. */
    static String decode(byte[] bytes, String refusal) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw WebhookRejection.badRequest(refusal);
        }
    }
}
