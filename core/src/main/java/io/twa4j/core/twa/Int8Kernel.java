package io.twa4j.core.twa;

/**
 * The loops every product of {@link HostInt8Rows} is made of, over several rows of signed 8-bit
 * codes at once (row r of a call starts at {@code at + r·stride}, so a vector of g or of the output
 * is loaded once for several rows): a seam between the JDK's Vector API ({@link Int8Vectors}, used
 * where the JVM was started with {@code --add-modules jdk.incubator.vector}, as the {@code twa4j}
 * launcher does) and plain Java loops (everywhere else: the same sums, in another order, so the
 * last bits may differ).
 */
interface Int8Kernel {

    /**
     * {@code out[r] = Σ_c codes[at + r·stride + c] · g[gAt + c]} over {@code c ∈ [0, length)}, in
     * float32, for each row {@code r ∈ [0, rows)}.
     */
    void dots(byte[] codes, int at, int stride, int rows, float[] g, int gAt, int length, float[] out);

    /**
     * {@code out[outAt + c] += Σ_r scales[r] · codes[at + r·stride + c]} over {@code c ∈ [0, length)}
     * and the rows {@code r ∈ [0, rows)}.
     */
    void addScaled(byte[] codes, int at, int stride, float[] scales, int rows, float[] out, int outAt, int length);

    /** {@code Σ_c g[at + c]} over {@code c ∈ [0, length)}, in float32. */
    float sum(float[] g, int at, int length);

    /** {@code vector} or {@code scalar}: which loops these are. */
    String name();

    /** The plain Java loops. */
    Int8Kernel SCALAR = new Int8Kernel() {
        @Override
        public void dots(byte[] codes, int at, int stride, int rows, float[] g, int gAt, int length, float[] out) {
            for (int r = 0; r < rows; r++) {
                float sum = 0;
                int row = at + r * stride;
                for (int c = 0; c < length; c++) {
                    sum += codes[row + c] * g[gAt + c];
                }
                out[r] = sum;
            }
        }

        @Override
        public void addScaled(byte[] codes, int at, int stride, float[] scales, int rows, float[] out, int outAt, int length) {
            for (int r = 0; r < rows; r++) {
                int row = at + r * stride;
                for (int c = 0; c < length; c++) {
                    out[outAt + c] += scales[r] * codes[row + c];
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
