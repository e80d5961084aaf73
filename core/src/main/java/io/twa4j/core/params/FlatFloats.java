package io.twa4j.core.params;

import java.nio.FloatBuffer;

/**
 * A flat float32 vector read and written by ranges: a heap array ({@link #of}), or the memory of a
 * model's parameters or gradients held in pieces ({@link FlatParameters#view()},
 * {@link FlatParameters#gradientView}), so that a product over the vector can take it a few
 * thousand numbers at a time into a buffer of its own without a D-length copy. Ranges that do not
 * overlap may be read and written from several threads at once.
 */
public interface FlatFloats {

    /** The length of the vector. */
    long size();

    /** Copies entries {@code [from, from + length)} into {@code into[at …]}. */
    void get(long from, float[] into, int at, int length);

    /** Copies {@code values[at … at + length)} into entries {@code [from, from + length)}. */
    void put(long from, float[] values, int at, int length);

    /** {@code values} itself as a flat vector (not a copy). */
    static FlatFloats of(float[] values) {
        return new FlatFloats() {
            @Override
            public long size() {
                return values.length;
            }

            @Override
            public void get(long from, float[] into, int at, int length) {
                System.arraycopy(values, Math.toIntExact(from), into, at, length);
            }

            @Override
            public void put(long from, float[] source, int at, int length) {
                System.arraycopy(source, at, values, Math.toIntExact(from), length);
            }
        };
    }

    /**
     * The concatenation of {@code pieces} (each read and written at absolute indices, so its
     * position never moves and threads can share it); piece i starts at entry {@code starts[i]}.
     */
    static FlatFloats joined(long[] starts, FloatBuffer[] pieces) {
        return new JoinedFloats(starts.clone(), pieces.clone());
    }
}
