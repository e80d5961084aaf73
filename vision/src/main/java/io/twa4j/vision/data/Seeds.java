package io.twa4j.vision.data;

/** Derives independent 64-bit seeds from a base seed and indices (epoch, batch, ...). */
public final class Seeds {

    private Seeds() {}

    /**
     * A well-mixed seed for {@code (base, parts...)}: different tuples give unrelated streams,
     * unlike adjacent raw seeds of {@link java.util.SplittableRandom}.
     */
    public static long mix(long base, long... parts) {
        long h = mix64(base ^ 0x5DEECE66DL);
        for (long part : parts) {
            h = mix64(h + 0x9E3779B97F4A7C15L * (part + 1));
        }
        return h;
    }

    /** The MurmurHash3 / SplitMix64 finaliser. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
