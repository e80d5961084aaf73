package io.twa4j.vision.data;

import ai.djl.ndarray.types.Shape;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Serves an {@link ImageSet} in normalised float batches, prepared on a background thread.
 *
 * <p>Epoch {@code e} visits every image exactly once, in a Fisher–Yates permutation drawn from a
 * {@link SplittableRandom} seeded by {@code (seed, e)} (or in stored order without shuffling).
 * Batch {@code b} of epoch {@code e} is augmented with a generator seeded by {@code (seed, e, b)},
 * so the numbers depend on the seed and epoch only, never on thread timing. Every batch is full
 * except the last, which holds the remainder (nothing is dropped or padded).
 *
 * <p>Features are (N, C, H, W) floats {@code (x / 255 - mean[c]) / std[c]}; augmentation (see
 * {@link Augmentation}) is applied to the bytes before normalisation.
 *
 * <pre>{@code
 * BatchSource train = ImageBatchSource.builder(Datasets.load("cifar10", null, true))
 *         .setBatchSize(128).optShuffle(true).optAugmentation(Augmentation.standard())
 *         .optNormalization(Normalization.CIFAR).optSeed(0).build();
 * try (BatchSource.BatchIterator it = train.epoch(0)) {
 *     while (it.hasNext()) { HostBatch batch = it.next(); ... }
 * }
 * }</pre>
 */
public final class ImageBatchSource implements BatchSource {

    private final ImageSet set;
    private final int batchSize;
    private final boolean shuffle;
    private final Augmentation augmentation;
    private final Normalization normalization;
    private final long seed;
    private final int prefetch;
    private final IntConsumer beforeBatch;
    private final float[][] table;

    private ImageBatchSource(Builder b) {
        this.set = b.set;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.augmentation = b.augmentation;
        this.normalization = b.normalization;
        this.seed = b.seed;
        this.prefetch = b.prefetch;
        this.beforeBatch = b.beforeBatch;
        this.table = normalization.table(set.channels());
    }

    /** A builder over {@code set}; {@link Builder#setBatchSize(int)} is required. */
    public static Builder builder(ImageSet set) {
        return new Builder(set);
    }

    @Override
    public int size() {
        return set.size();
    }

    @Override
    public int batchesPerEpoch() {
        return (set.size() + batchSize - 1) / batchSize;
    }

    @Override
    public int numClasses() {
        return set.numClasses();
    }

    /** The images served. */
    public ImageSet imageSet() {
        return set;
    }

    /** Examples per batch (the last batch of an epoch may hold fewer). */
    public int batchSize() {
        return batchSize;
    }

    /** The normalisation applied to the features. */
    public Normalization normalization() {
        return normalization;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Starts one daemon thread that prepares up to the prefetch depth of batches ahead; closing
     * the iterator stops it.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    @Override
    public BatchIterator epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " is negative");
        }
        int[] order = order(epoch);
        String thread = "twa4j-batches-" + set.name() + "-e" + epoch;
        return new PrefetchIterator(thread, batchesPerEpoch(), prefetch, b -> batch(order, epoch, b));
    }

    /** The order in which epoch {@code epoch} visits the images: a permutation of {@code 0..size-1}. */
    public int[] order(int epoch) {
        return order(set.size(), shuffle, seed, epoch);
    }

    /**
     * The order of epoch {@code epoch} over {@code n} examples: {@code 0..n-1}, shuffled (if
     * {@code shuffle}) by Fisher–Yates with a {@link SplittableRandom} seeded by {@code
     * Seeds.mix(seed, epoch)}.
     */
    public static int[] order(int n, boolean shuffle, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Prepares batch {@code b} of an epoch whose order is {@code order} (pure; any thread). */
    HostBatch batch(int[] order, int epoch, int b) {
        if (beforeBatch != null) {
            beforeBatch.accept(b);
        }
        int from = b * batchSize;
        int n = Math.min(batchSize, order.length - from);
        int c = set.channels();
        int plane = set.height() * set.width();
        int per = c * plane;
        byte[] pixels = set.pixelData();
        byte[] scratch = augmentation == null ? null : new byte[per];
        SplittableRandom rng = augmentation == null ? null : new SplittableRandom(Seeds.mix(seed, epoch, b, 0xA06));
        float[] features = new float[n * per];
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            int index = order[from + k];
            labels[k] = set.label(index);
            byte[] src = pixels;
            int srcOffset = index * per;
            if (augmentation != null) {
                augmentation.apply(pixels, srcOffset, c, set.height(), set.width(), augmentation.draw(rng), scratch, 0);
                src = scratch;
                srcOffset = 0;
            }
            int out = k * per;
            for (int ch = 0; ch < c; ch++) {
                float[] lut = table[ch];
                int s = srcOffset + ch * plane;
                int d = out + ch * plane;
                for (int p = 0; p < plane; p++) {
                    features[d + p] = lut[src[s + p] & 0xFF];
                }
            }
        }
        return new HostBatch(features, new Shape(n, c, set.height(), set.width()), labels);
    }

    /** Builds an {@link ImageBatchSource}: {@code setX} is required, {@code optX} optional. */
    public static final class Builder {
        private final ImageSet set;
        private int batchSize;
        private boolean shuffle = true;
        private Augmentation augmentation;
        private Normalization normalization = Normalization.NONE;
        private long seed;
        private int prefetch = 4;
        private IntConsumer beforeBatch;

        private Builder(ImageSet set) {
            if (set == null) {
                throw new IllegalArgumentException("image set is null");
            }
            this.set = set;
        }

        /** Examples per batch, at least 1 (required). */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each epoch visits the images in a seeded random order (default true). */
        public Builder optShuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Augment with {@link Augmentation#standard()} if true, none if false (default false). */
        public Builder optAugment(boolean augment) {
            this.augmentation = augment ? Augmentation.standard() : null;
            return this;
        }

        /** Augment with {@code augmentation}, or not at all if null (default none). */
        public Builder optAugmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        /** The normalisation of the features (default {@link Normalization#NONE}: x / 255). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** The seed of shuffling and augmentation (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How many batches are prepared ahead, at least 1 (default 4). */
        public Builder optPrefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /** A hook run on the producer thread before each batch (tests: delays, failures). */
        Builder beforeBatch(IntConsumer hook) {
            this.beforeBatch = hook;
            return this;
        }

        /**
         * The source.
         *
         * @throws IllegalArgumentException if the batch size is unset or not positive, the
         *     prefetch depth is below 1, the set is empty, or the normalisation's channels do not
         *     match the images
         */
        public ImageBatchSource build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size " + batchSize + " must be at least 1 (setBatchSize)");
            }
            if (prefetch < 1) {
                throw new IllegalArgumentException("prefetch depth " + prefetch + " must be at least 1");
            }
            if (set.size() == 0) {
                throw new IllegalArgumentException(set.name() + " has no images to serve");
            }
            if (normalization == null) {
                throw new IllegalArgumentException("normalization is null (use Normalization.NONE)");
            }
            return new ImageBatchSource(this);
        }
    }
}
