package io.twa4j.core.twa;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD loops of {@link HostInt8Rows}, on the JDK's Vector API: eight signed 8-bit codes widened
 * to float32 and multiplied in one fused step, so a product reads one byte per entry of P and
 * never writes a decoded row. Only this class names {@code jdk.incubator.vector}; it is loaded
 * only when {@link Int8Kernel#fastest()} found the module.
 */
final class Int8Vectors implements Int8Kernel {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;
    private static final int LANES = FLOATS.length();

    @Override
    public String name() {
        return "vector";
    }

    private static FloatVector widened(byte[] codes, int at) {
        return (FloatVector) ByteVector.fromArray(BYTES, codes, at).convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    @Override
    public float dot(byte[] codes, int at, float[] g, int gAt, int length) {
        FloatVector even = FloatVector.zero(FLOATS);
        FloatVector odd = FloatVector.zero(FLOATS);
        int c = 0;
        for (; c + 2 * LANES <= length; c += 2 * LANES) {
            even = widened(codes, at + c).fma(FloatVector.fromArray(FLOATS, g, gAt + c), even);
            odd = widened(codes, at + c + LANES).fma(FloatVector.fromArray(FLOATS, g, gAt + c + LANES), odd);
        }
        for (; c + LANES <= length; c += LANES) {
            even = widened(codes, at + c).fma(FloatVector.fromArray(FLOATS, g, gAt + c), even);
        }
        float sum = even.add(odd).reduceLanes(VectorOperators.ADD);
        for (; c < length; c++) {
            sum += codes[at + c] * g[gAt + c];
        }
        return sum;
    }

    @Override
    public void addScaled(byte[] codes, int at, float scale, float[] out, int outAt, int length) {
        FloatVector factor = FloatVector.broadcast(FLOATS, scale);
        int c = 0;
        for (; c + LANES <= length; c += LANES) {
            widened(codes, at + c).fma(factor, FloatVector.fromArray(FLOATS, out, outAt + c)).intoArray(out, outAt + c);
        }
        for (; c < length; c++) {
            out[outAt + c] += scale * codes[at + c];
        }
    }
}
