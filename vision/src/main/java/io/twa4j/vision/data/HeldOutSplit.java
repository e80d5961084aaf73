package io.twa4j.vision.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A training set cut in two: a seeded, class-stratified held-out part (for choosing: greedy soups,
 * learned soups, TWA on held-out data) and the rest, which training uses. Each class gives its
 * share of the held-out images: {@code count · n_c / n} rounded by largest remainder, so the
 * shares add up to {@code count} exactly; within a class the images are drawn by a generator
 * seeded from {@code (seed, class)}. Both parts keep the set's order. The same set, count and seed
 * always give the same split.
 *
 * <p>Splits any {@link LabelledImages}: images in memory or files of an image folder alike.
 *
 * @param train the images left for training
 * @param heldOut the held-out images
 * @param <T> the kind of image set split
 */
public record HeldOutSplit<T extends LabelledImages<T>>(T train, T heldOut) {

    /**
     * Splits {@code count} held-out images off {@code set}.
     *
     * @throws IllegalArgumentException unless {@code 0 < count < set.size()}
     */
    public static <T extends LabelledImages<T>> HeldOutSplit<T> of(T set, int count, long seed) {
        if (count <= 0 || count >= set.size()) {
            throw new IllegalArgumentException(set.name() + ": cannot hold out " + count + " of its " + set.size() + " images"
                    + " (at least 1, and some must be left for training)");
        }
        boolean[] held = new boolean[set.size()];
        List<int[]> byClass = indicesByClass(set);
        int[] shares = shares(byClass, count, set.size());
        for (int c = 0; c < byClass.size(); c++) {
            int[] indices = byClass.get(c).clone();
            shuffle(indices, new SplittableRandom(Seeds.mix(seed, 0x5917, c)));
            for (int k = 0; k < shares[c]; k++) {
                held[indices[k]] = true;
            }
        }
        int[] train = new int[set.size() - count];
        int[] heldOut = new int[count];
        for (int i = 0, t = 0, h = 0; i < held.length; i++) {
            if (held[i]) {
                heldOut[h++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new HeldOutSplit<>(set.subset(train, set.name()), set.subset(heldOut, set.name() + "-heldout"));
    }

    /** The number of images a fraction {@code ratio} of {@code size} holds out: {@code round(ratio · size)}. */
    public static int count(int size, double ratio) {
        return (int) Math.round(ratio * size);
    }

    private static List<int[]> indicesByClass(LabelledImages<?> set) {
        int[] counts = set.labelCounts();
        List<int[]> byClass = new ArrayList<>();
        int[] filled = new int[counts.length];
        for (int count : counts) {
            byClass.add(new int[count]);
        }
        for (int i = 0; i < set.size(); i++) {
            int c = set.label(i);
            byClass.get(c)[filled[c]++] = i;
        }
        return byClass;
    }

    /** Each class's share of {@code count}, proportional to its size, by largest remainder (ties to the lower class). */
    private static int[] shares(List<int[]> byClass, int count, int size) {
        int[] shares = new int[byClass.size()];
        double[] remainders = new double[byClass.size()];
        int given = 0;
        for (int c = 0; c < shares.length; c++) {
            double exact = (double) count * byClass.get(c).length / size;
            shares[c] = (int) Math.floor(exact);
            remainders[c] = exact - shares[c];
            given += shares[c];
        }
        Integer[] order = new Integer[shares.length];
        Arrays.setAll(order, c -> c);
        Arrays.sort(order, (a, b) -> Double.compare(remainders[b], remainders[a]));
        for (int k = 0; given < count; k++) {
            shares[order[k]]++;
            given++;
        }
        return shares;
    }

    private static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
