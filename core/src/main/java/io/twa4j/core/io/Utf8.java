package io.twa4j.core.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding for the text files twa4j reads: malformed bytes are an error, not U+FFFD. */
public final class Utf8 {
    private Utf8() {}

    /**
     * {@code bytes} as text.
     *
     * @throws CharacterCodingException if they are not valid UTF-8
     */
    public static String decodeStrictly(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
