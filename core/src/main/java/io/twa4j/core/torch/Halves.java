package io.twa4j.core.torch;

/** Exact widening of the 16-bit floats (Java 17 has no {@code Float.float16ToFloat}). */
final class Halves {

    private Halves() {}

    /** The float32 value of IEEE half-precision {@code bits} (exact, subnormals, infinities and NaN kept). */
    static float halfToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // exact: at most 10 significant bits
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The float32 value of bfloat16 {@code bits}: the upper half of a float32 (exact). */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
