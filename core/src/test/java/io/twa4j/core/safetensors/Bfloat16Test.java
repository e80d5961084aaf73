package io.twa4j.core.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class Bfloat16Test {

    @Test
    void knownEncodings() {
        assertThat(Bfloat16.fromFloat(1f)).isEqualTo((short) 0x3F80);
        assertThat(Bfloat16.fromFloat(-2f)).isEqualTo((short) 0xC000);
        assertThat(Bfloat16.fromFloat(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        assertThat(Bfloat16.fromFloat(Float.NaN)).isEqualTo((short) 0x7FC0);
        assertThat(Bfloat16.fromFloat(-0f)).isEqualTo((short) 0x8000);
        // ties to even: 1 + 2^-8 lies halfway between 1 (0x3F80, even) and 1 + 2^-7 (0x3F81)
        assertThat(Bfloat16.fromFloat(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
        assertThat(Bfloat16.fromFloat(1f + 0x1p-7f + 0x1p-8f)).isEqualTo((short) 0x3F82);
        assertThat(Bfloat16.fromFloat(Float.MAX_VALUE)).isEqualTo((short) 0x7F80); // rounds up to infinity
    }

    @Property
    void roundingIsToTheNearestBfloat16(@ForAll float f) {
        if (Float.isNaN(f)) {
            return;
        }
        short b = Bfloat16.fromFloat(f);
        float back = Bfloat16.toFloat(b);
        int bits = Float.floatToRawIntBits(f);
        float down = Float.intBitsToFloat(bits & 0xFFFF0000);
        float up = Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000);
        // the result is one of the two neighbours, and no farther from f than the other one
        assertThat(back == down || back == up || Float.isInfinite(back)).isTrue();
        if (!Float.isInfinite(back) && !Float.isInfinite(up)) {
            double other = back == down ? up : down;
            assertThat(Math.abs((double) back - f)).isLessThanOrEqualTo(Math.abs(other - f));
        }
        assertThat(Bfloat16.fromFloat(back)).isEqualTo(b); // bf16 values are fixed points
    }
}
