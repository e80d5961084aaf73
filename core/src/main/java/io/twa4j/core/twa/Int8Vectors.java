package io.twa4j.core.twa;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD loops of {@link HostInt8Rows}, on the JDK's Vector API: eight signed 8-bit codes widened
 * to float32 and multiplied in one fused step, the {@value Int8Kernel#BLOCK} rows of a block against
 * one load of g or of the output (a narrower block a row at a time), so a product reads one byte per
 * entry of P, in order, and never writes a decoded row. Columns before the first whole chunk of
 * eight and after the last go through {@link Int8Kernel#SCALAR}. Only this class names
 * {@code jdk.incubator.vector}; it is loaded only when {@link Int8Kernel#fastest()} found the module.
 */
final class Int8Vectors implements Int8Kernel {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;
    /** Bytes of one chunk of a whole block (a chunk of each of its rows). */
    private static final int BLOCK_CHUNK = BLOCK * CHUNK;

    static {
        if (FLOATS.length() != CHUNK) {
            throw new AssertionError("a float vector must hold one chunk");
        }
    }

    @Override
    public String name() {
        return "vector";
    }

    private static FloatVector widened(byte[] codes, int at) {
        return (FloatVector) ByteVector.fromArray(BYTES, codes, at).convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    /** The block's whole chunks within [column, end): from {@code first} to {@code last}, both multiples of 8. */
    private record Chunks(int first, int last) {
        static Chunks of(int column, int end) {
            int first = Math.min(end, (column + CHUNK - 1) / CHUNK * CHUNK);
            return new Chunks(first, Math.max(first, end / CHUNK * CHUNK));
        }
    }

    @Override
    public void dots(byte[] codes, int at, int width, int column, int length, float[] g, int gAt, float[] out, int outAt) {
        int end = column + length;
        Chunks whole = Chunks.of(column, end);
        int shift = gAt - column; // g[shift + c] meets column c
        if (width == BLOCK) {
            dots4(codes, at, whole, g, shift, out, outAt);
        } else {
            for (int r = 0; r < width; r++) {
                out[outAt + r] = dot(codes, at, width, r, whole, g, shift);
            }
        }
        addEdgeDots(codes, at, width, column, whole.first(), g, shift, out, outAt);
        addEdgeDots(codes, at, width, whole.last(), end, g, shift, out, outAt);
    }

    /** Adds the block's dots over columns [from, to) outside its whole chunks, by the scalar loops. */
    private static void addEdgeDots(byte[] codes, int at, int width, int from, int to, float[] g, int shift, float[] out, int outAt) {
        if (from == to) {
            return;
        }
        float[] edge = new float[width];
        SCALAR.dots(codes, at, width, from, to - from, g, shift + from, edge, 0);
        for (int r = 0; r < width; r++) {
            out[outAt + r] += edge[r];
        }
    }

    /** The four rows of a whole block over its whole chunks, each chunk of g loaded once. */
    private static void dots4(byte[] codes, int at, Chunks whole, float[] g, int shift, float[] out, int outAt) {
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int p = at + whole.first() / CHUNK * BLOCK_CHUNK;
        for (int c = whole.first(); c < whole.last(); c += CHUNK, p += BLOCK_CHUNK) {
            FloatVector x = FloatVector.fromArray(FLOATS, g, shift + c);
            s0 = widened(codes, p).fma(x, s0);
            s1 = widened(codes, p + CHUNK).fma(x, s1);
            s2 = widened(codes, p + 2 * CHUNK).fma(x, s2);
            s3 = widened(codes, p + 3 * CHUNK).fma(x, s3);
        }
        out[outAt] = s0.reduceLanes(VectorOperators.ADD);
        out[outAt + 1] = s1.reduceLanes(VectorOperators.ADD);
        out[outAt + 2] = s2.reduceLanes(VectorOperators.ADD);
        out[outAt + 3] = s3.reduceLanes(VectorOperators.ADD);
    }

    /** Row r of a block of {@code width} over its whole chunks. */
    private static float dot(byte[] codes, int at, int width, int r, Chunks whole, float[] g, int shift) {
        FloatVector sum = FloatVector.zero(FLOATS);
        int p = Int8Kernel.position(at, width, r, whole.first());
        for (int c = whole.first(); c < whole.last(); c += CHUNK, p += CHUNK * width) {
            sum = widened(codes, p).fma(FloatVector.fromArray(FLOATS, g, shift + c), sum);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public float sum(float[] g, int at, int length) {
        FloatVector sum = FloatVector.zero(FLOATS);
        int c = 0;
        for (; c + CHUNK <= length; c += CHUNK) {
            sum = sum.add(FloatVector.fromArray(FLOATS, g, at + c));
        }
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; c < length; c++) {
            total += g[at + c];
        }
        return total;
    }

    @Override
    public void addScaled(byte[] codes, int at, int width, int column, int length, float[] scales, int scalesAt, float[] out, int outAt) {
        int end = column + length;
        Chunks whole = Chunks.of(column, end);
        int shift = outAt - column; // out[shift + c] receives column c
        if (width == BLOCK) {
            addScaled4(codes, at, whole, scales, scalesAt, out, shift);
        } else {
            for (int r = 0; r < width; r++) {
                addScaled1(codes, at, width, r, whole, scales[scalesAt + r], out, shift);
            }
        }
        // the columns outside whole chunks, by the scalar loops
        SCALAR.addScaled(codes, at, width, column, whole.first() - column, scales, scalesAt, out, shift + column);
        SCALAR.addScaled(codes, at, width, whole.last(), end - whole.last(), scales, scalesAt, out, shift + whole.last());
    }

    /** The four rows of a whole block over its whole chunks: one load and one store of the output for four rows. */
    private static void addScaled4(byte[] codes, int at, Chunks whole, float[] scales, int scalesAt, float[] out, int shift) {
        FloatVector f0 = FloatVector.broadcast(FLOATS, scales[scalesAt]);
        FloatVector f1 = FloatVector.broadcast(FLOATS, scales[scalesAt + 1]);
        FloatVector f2 = FloatVector.broadcast(FLOATS, scales[scalesAt + 2]);
        FloatVector f3 = FloatVector.broadcast(FLOATS, scales[scalesAt + 3]);
        int p = at + whole.first() / CHUNK * BLOCK_CHUNK;
        for (int c = whole.first(); c < whole.last(); c += CHUNK, p += BLOCK_CHUNK) {
            FloatVector sum = FloatVector.fromArray(FLOATS, out, shift + c);
            sum = widened(codes, p).fma(f0, sum);
            sum = widened(codes, p + CHUNK).fma(f1, sum);
            sum = widened(codes, p + 2 * CHUNK).fma(f2, sum);
            sum = widened(codes, p + 3 * CHUNK).fma(f3, sum);
            sum.intoArray(out, shift + c);
        }
    }

    /** Row r of a block of {@code width} over its whole chunks. */
    private static void addScaled1(byte[] codes, int at, int width, int r, Chunks whole, float scale, float[] out, int shift) {
        FloatVector factor = FloatVector.broadcast(FLOATS, scale);
        int p = Int8Kernel.position(at, width, r, whole.first());
        for (int c = whole.first(); c < whole.last(); c += CHUNK, p += CHUNK * width) {
            widened(codes, p).fma(factor, FloatVector.fromArray(FLOATS, out, shift + c)).intoArray(out, shift + c);
        }
    }
}
