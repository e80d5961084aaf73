package io.twa4j.core.twa;

/**
 * The loops every product of {@link HostInt8Rows} is made of, over a block of up to {@value #BLOCK}
 * rows of signed 8-bit codes interleaved by {@value #CHUNK} columns: row r's codes for columns
 * {@code c … c+7} (c a multiple of 8) lie together, after those of the rows before it, so that a
 * block is one stream of bytes that a vector of g or of the output meets once for all its rows
 * (rows held one after another would be {@value #BLOCK} short streams, a page each, which the
 * hardware prefetches less well). A seam between the JDK's Vector API ({@link Int8Vectors}, used
 * where the JVM was started with {@code --add-modules jdk.incubator.vector}, as the {@code twa4j}
 * launcher does) and plain Java loops (everywhere else: the same sums, in another order, so the
 * last bits may differ).
 */
interface Int8Kernel {

    /** Rows per block. */
    int BLOCK = 4;
    /** Columns of a row that lie together in a block. */
    int CHUNK = 8;

    /**
     * Where row {@code r} (of {@code width}), column {@code c} of a block starting at {@code at} lies:
     * {@code at + ⌊c/8⌋·8·width + 8·r + c mod 8}.
     */
    static int position(int at, int width, int r, int c) {
        return at + (c / CHUNK) * CHUNK * width + r * CHUNK + c % CHUNK;
    }

    /**
     * {@code out[outAt + r] = Σ_c code(r, c) · g[gAt + c − column]} over the block's columns
     * {@code c ∈ [column, column + length)}, in float32, for each of its rows {@code r ∈ [0, width)}
     * ({@link #position} places code(r, c) in {@code codes}).
     */
    void dots(byte[] codes, int at, int width, int column, int length, float[] g, int gAt, float[] out, int outAt);

    /**
     * {@code out[outAt + c − column] += Σ_r scales[scalesAt + r] · code(r, c)} over the block's
     * columns {@code c ∈ [column, column + length)} and its rows {@code r ∈ [0, width)}.
     */
    void addScaled(byte[] codes, int at, int width, int column, int length, float[] scales, int scalesAt, float[] out, int outAt);

    /** {@code Σ_c g[at + c]} over {@code c ∈ [0, length)}, in float32. */
    float sum(float[] g, int at, int length);

    /** {@code vector} or {@code scalar}: which loops these are. */
    String name();

    /** The plain Java loops. */
    Int8Kernel SCALAR = new Int8Kernel() {
        @Override
        public void dots(byte[] codes, int at, int width, int column, int length, float[] g, int gAt, float[] out, int outAt) {
            for (int r = 0; r < width; r++) {
                float sum = 0;
                for (int c = 0; c < length; c++) {
                    sum += codes[position(at, width, r, column + c)] * g[gAt + c];
                }
                out[outAt + r] = sum;
            }
        }

        @Override
        public void addScaled(byte[] codes, int at, int width, int column, int length, float[] scales, int scalesAt, float[] out, int outAt) {
            for (int r = 0; r < width; r++) {
                for (int c = 0; c < length; c++) {
                    out[outAt + c] += scales[scalesAt + r] * codes[position(at, width, r, column + c)];
                }
            }
        }

        @Override
        public float sum(float[] g, int at, int length) {
            float total = 0;
            for (int c = 0; c < length; c++) {
                total += g[at + c];
            }
            return total;
        }

        @Override
        public String name() {
            return "scalar";
        }
    };

    /**
     * The Vector API loops where the JVM resolved {@code jdk.incubator.vector} at start-up (and the
     * system property {@code twa4j.int8.scalar} is not {@code true}), else {@link #SCALAR}.
     */
    static Int8Kernel fastest() {
        return Holder.FASTEST;
    }

    /** Decided once per JVM, so every basis of a run uses the same loops. */
    final class Holder {
        static final Int8Kernel FASTEST = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                && !Boolean.getBoolean("twa4j.int8.scalar") ? new Int8Vectors() : SCALAR;

        private Holder() {}
    }
}
