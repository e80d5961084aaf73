package io.twa4j.core.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bfloat16 conversions done in Java (DJL 0.36's PyTorch engine aborts the JVM on BFLOAT16 arrays).
 * A bfloat16 is the upper half of a float32; rounding is to nearest, ties to even, as in PyTorch.
 */
final class Bfloat16 {

    private Bfloat16() {}

    /** The bfloat16 bits nearest to {@code f} (NaN becomes the quiet NaN 0x7FC0, as in PyTorch). */
    static short fromFloat(float f) {
        if (Float.isNaN(f)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(f);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** The float32 value of bfloat16 {@code bits} (exact). */
    static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Native-order float32 values to a heap buffer of native-order bfloat16 values. */
    static ByteBuffer fromFloat32(ByteBuffer float32) {
        ByteBuffer in = float32.duplicate().order(ByteOrder.nativeOrder());
        ByteBuffer out = ByteBuffer.allocate(in.remaining() / 2).order(ByteOrder.nativeOrder());
        while (in.remaining() >= 4) {
            out.putShort(fromFloat(in.getFloat()));
        }
        return out.flip();
    }
}
