package io.twa4j.core;

import ai.djl.ndarray.types.Shape;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import java.util.Arrays;
import java.util.SplittableRandom;

/** An in-memory batch source for core tests: fixed examples, seeded shuffle per epoch, no thread. */
public final class ArrayBatchSource implements BatchSource {
    private final float[][] examples;
    private final int[] labels;
    private final Shape exampleShape;
    private final int classes;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;

    public ArrayBatchSource(float[][] examples, int[] labels, Shape exampleShape, int classes, int batchSize, long seed, boolean shuffle) {
        this.examples = examples;
        this.labels = labels;
        this.exampleShape = exampleShape;
        this.classes = classes;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
    }

    /** Gaussian blobs: class c centred at a seeded random point, unit-ish noise. */
    public static ArrayBatchSource blobs(int n, int dim, int classes, int batchSize, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] centres = new float[classes][dim];
        for (float[] centre : centres) {
            for (int d = 0; d < dim; d++) {
                centre[d] = (float) (random.nextDouble() * 4 - 2);
            }
        }
        SplittableRandom noise = new SplittableRandom(seed + 1);
        float[][] x = new float[n][dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int d = 0; d < dim; d++) {
                x[i][d] = centres[y[i]][d] + (float) (noise.nextDouble() - 0.5);
            }
        }
        return new ArrayBatchSource(x, y, new Shape(dim), classes, batchSize, seed, true);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int batchesPerEpoch() {
        return (labels.length + batchSize - 1) / batchSize;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public BatchIterator epoch(int epoch) {
        int[] order = new int[labels.length];
        Arrays.setAll(order, i -> i);
        if (shuffle) {
            SplittableRandom random = new SplittableRandom(seed * 31 + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return new BatchIterator() {
            int next = 0;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public HostBatch next() {
                int n = Math.min(batchSize, order.length - next);
                int per = (int) exampleShape.size();
                float[] features = new float[n * per];
                int[] y = new int[n];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(examples[order[next + i]], 0, features, i * per, per);
                    y[i] = labels[order[next + i]];
                }
                next += n;
                return new HostBatch(features, new Shape(n).addAll(exampleShape), y);
            }

            @Override
            public long waitNanos() {
                return 0;
            }

            @Override
            public void close() {}
        };
    }
}
