package io.twa4j.core.twa;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD loops of {@link HostInt8Rows}, on the JDK's Vector API: eight signed 8-bit codes widened
 * to float32 and multiplied in one fused step, four rows at a time against one load of g or of the
 * output (the rows left over one at a time), so a product reads one byte per entry of P and never
 * writes a decoded row. Only this class names {@code jdk.incubator.vector}; it is loaded only when
 * {@link Int8Kernel#fastest()} found the module.
 */
final class Int8Vectors implements Int8Kernel {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;
    private static final int LANES = FLOATS.length();
    /** Rows per pass of the blocked loops. */
    private static final int BLOCK = 4;

    @Override
    public String name() {
        return "vector";
    }

    private static FloatVector widened(byte[] codes, int at) {
        return (FloatVector) ByteVector.fromArray(BYTES, codes, at).convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    @Override
    public void dots(byte[] codes, int at, int stride, int rows, float[] g, int gAt, int length, float[] out) {
        int r = 0;
        for (; r + BLOCK <= rows; r += BLOCK) {
            dots4(codes, at + r * stride, stride, g, gAt, length, out, r);
        }
        for (; r < rows; r++) {
            out[r] = dot(codes, at + r * stride, g, gAt, length);
        }
    }

    /** Rows r..r+3 of {@link #dots}, each against the same vector of g. */
    private static void dots4(byte[] codes, int at, int stride, float[] g, int gAt, int length, float[] out, int r) {
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int c = 0;
        for (; c + LANES <= length; c += LANES) {
            FloatVector x = FloatVector.fromArray(FLOATS, g, gAt + c);
            s0 = widened(codes, at + c).fma(x, s0);
            s1 = widened(codes, at + stride + c).fma(x, s1);
            s2 = widened(codes, at + 2 * stride + c).fma(x, s2);
            s3 = widened(codes, at + 3 * stride + c).fma(x, s3);
        }
        float[] sums = {s0.reduceLanes(VectorOperators.ADD), s1.reduceLanes(VectorOperators.ADD),
            s2.reduceLanes(VectorOperators.ADD), s3.reduceLanes(VectorOperators.ADD)};
        for (; c < length; c++) {
            for (int q = 0; q < BLOCK; q++) {
                sums[q] += codes[at + q * stride + c] * g[gAt + c];
            }
        }
        System.arraycopy(sums, 0, out, r, BLOCK);
    }

    private static float dot(byte[] codes, int at, float[] g, int gAt, int length) {
        FloatVector sum = FloatVector.zero(FLOATS);
        int c = 0;
        for (; c + LANES <= length; c += LANES) {
            sum = widened(codes, at + c).fma(FloatVector.fromArray(FLOATS, g, gAt + c), sum);
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; c < length; c++) {
            total += codes[at + c] * g[gAt + c];
        }
        return total;
    }

    @Override
    public float sum(float[] g, int at, int length) {
        FloatVector sum = FloatVector.zero(FLOATS);
        int c = 0;
        for (; c + LANES <= length; c += LANES) {
            sum = sum.add(FloatVector.fromArray(FLOATS, g, at + c));
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; c < length; c++) {
            total += g[at + c];
        }
        return total;
    }

    @Override
    public void addScaled(byte[] codes, int at, int stride, float[] scales, int rows, float[] out, int outAt, int length) {
        int r = 0;
        for (; r + BLOCK <= rows; r += BLOCK) {
            addScaled4(codes, at + r * stride, stride, scales, r, out, outAt, length);
        }
        for (; r < rows; r++) {
            addScaled1(codes, at + r * stride, scales[r], out, outAt, length);
        }
    }

    /** Rows r..r+3 of {@link #addScaled}: one load and one store of the output for four rows. */
    private static void addScaled4(byte[] codes, int at, int stride, float[] scales, int r, float[] out, int outAt, int length) {
        FloatVector f0 = FloatVector.broadcast(FLOATS, scales[r]);
        FloatVector f1 = FloatVector.broadcast(FLOATS, scales[r + 1]);
        FloatVector f2 = FloatVector.broadcast(FLOATS, scales[r + 2]);
        FloatVector f3 = FloatVector.broadcast(FLOATS, scales[r + 3]);
        int c = 0;
        for (; c + LANES <= length; c += LANES) {
            FloatVector sum = FloatVector.fromArray(FLOATS, out, outAt + c);
            sum = widened(codes, at + c).fma(f0, sum);
            sum = widened(codes, at + stride + c).fma(f1, sum);
            sum = widened(codes, at + 2 * stride + c).fma(f2, sum);
            sum = widened(codes, at + 3 * stride + c).fma(f3, sum);
            sum.intoArray(out, outAt + c);
        }
        for (; c < length; c++) {
            for (int q = 0; q < BLOCK; q++) {
                out[outAt + c] += scales[r + q] * codes[at + q * stride + c];
            }
        }
    }

    private static void addScaled1(byte[] codes, int at, float scale, float[] out, int outAt, int length) {
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
