package io.twa4j.core.parallel;

import io.twa4j.core.collective.Collective;

/**
 * Sums of a few float64 totals (losses, counts, statistics) over the ranks, through the float
 * all-reduce, without float's rounding: each rank writes its values into its own slot of a
 * zero-filled buffer of {@code size × 2k} floats, each value as {@code hi = (float) x} and
 * {@code lo = (float) (x − hi)} (about 48 bits); the all-reduce only adds zeros to them, so every
 * rank receives every rank's values exactly and adds them in float64 in rank order. Counts up to
 * 2⁴⁸ stay exact; the result has the same bits on every rank.
 */
public final class Sums {

    private Sums() {}

    /** {@code Σ_r values_r[i]} for every i, the same on every rank; {@code values} is not changed. */
    public static double[] overRanks(Collective collective, double[] values) {
        if (collective.size() == 1) {
            return values.clone();
        }
        int width = 2 * values.length;
        float[] slots = new float[collective.size() * width];
        int mine = collective.rank() * width;
        for (int i = 0; i < values.length; i++) {
            float hi = (float) values[i];
            slots[mine + 2 * i] = hi;
            slots[mine + 2 * i + 1] = (float) (values[i] - hi);
        }
        collective.allReduceSum(slots);
        double[] sums = new double[values.length];
        for (int rank = 0; rank < collective.size(); rank++) {
            for (int i = 0; i < values.length; i++) {
                sums[i] += (double) slots[rank * width + 2 * i] + slots[rank * width + 2 * i + 1];
            }
        }
        return sums;
    }
}
