package io.twa4j.core.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds safetensors files byte by byte, for tests of malformed input. */
final class SafeTensorsBytes {

    private SafeTensorsBytes() {}

    /** An 8-byte little-endian length, the header text as is (no padding), then {@code data}. */
    static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return file(json.length, json, data);
    }

    /** The same with an arbitrary length field. */
    static byte[] file(long declaredLength, byte[] json, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(json).put(data);
        return b.array();
    }
}
