package io.twa4j.core.twa;

/**
 * The two loops every product of {@link HostInt8Rows} is made of, over signed 8-bit codes: a seam
 * between the JDK's Vector API ({@link Int8Vectors}, used where the JVM was started with
 * {@code --add-modules jdk.incubator.vector}, as the {@code twa4j} launcher does) and plain Java
 * loops (everywhere else: the same sums, in another order, so the last bits may differ).
 */
interface Int8Kernel {

    /** {@code Σ_c codes[at + c] · g[gAt + c]} over {@code c ∈ [0, length)}, in float32. */
    float dot(byte[] codes, int at, float[] g, int gAt, int length);

    /** {@code out[outAt + c] += scale · codes[at + c]} over {@code c ∈ [0, length)}. */
    void addScaled(byte[] codes, int at, float scale, float[] out, int outAt, int length);

    /** {@code vector} or {@code scalar}: which loops these are. */
    String name();

    /** The plain Java loops. */
    Int8Kernel SCALAR = new Int8Kernel() {
        @Override
        public float dot(byte[] codes, int at, float[] g, int gAt, int length) {
            float sum = 0;
            for (int c = 0; c < length; c++) {
                sum += codes[at + c] * g[gAt + c];
            }
            return sum;
        }

        @Override
        public void addScaled(byte[] codes, int at, float scale, float[] out, int outAt, int length) {
            for (int c = 0; c < length; c++) {
                out[outAt + c] += scale * codes[at + c];
            }
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
