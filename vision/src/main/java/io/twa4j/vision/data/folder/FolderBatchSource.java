package io.twa4j.vision.data.folder;

import io.twa4j.core.data.BatchSource;
import io.twa4j.vision.data.DatasetException;
import io.twa4j.vision.data.ImageBatchSource;
import io.twa4j.vision.data.Normalization;
import io.twa4j.vision.data.Seeds;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Serves the files of a {@link FolderImages} in normalised float batches (N, 3, S, S), decoded and
 * transformed by a pool of background threads ({@link FolderOptions#workers()}).
 *
 * <p>Epoch {@code e} visits the files in {@link ImageBatchSource#order(int, boolean, long, int)}'s
 * order (seeded Fisher–Yates for training, file order for evaluation). The image at position
 * {@code p} of the epoch is transformed with a generator seeded by {@code Seeds.mix(seed, e, p)}
 * (see {@link Transforms}), so batches depend on the seed and epoch only, never on the number of
 * workers or thread timing. Every batch is full except the last.
 *
 * <p>An image that cannot be decoded fails the epoch: the consumer's {@code next()} throws a
 * {@link DatasetException} naming the file, once the batches before it have been served. With
 * {@link FolderOptions#skipBadImages()} it is left out of its batch instead (which is then
 * smaller), reported once through the warning sink and counted by {@link #skippedImages()}.
 */
public final class FolderBatchSource implements BatchSource {

    private final FolderImages images;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean augment;
    private final long seed;
    private final int prefetch;
    private final float[][] table;
    private final ImageDecoder decoder;
    private final Consumer<String> warnings;
    private final Set<Path> skipped = ConcurrentHashMap.newKeySet();

    private FolderBatchSource(Builder b) {
        this.images = b.images;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.augment = b.augment;
        this.seed = b.seed;
        this.prefetch = b.prefetch;
        this.table = b.normalization.table(3);
        this.decoder = b.decoder;
        this.warnings = b.warnings;
    }

    /** A builder over {@code images}; {@link Builder#setBatchSize(int)} is required. */
    public static Builder builder(FolderImages images) {
        return new Builder(images);
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int batchesPerEpoch() {
        return (images.size() + batchSize - 1) / batchSize;
    }

    @Override
    public int numClasses() {
        return images.numClasses();
    }

    /** Examples per batch (the last batch of an epoch, or one with skipped images, holds fewer). */
    public int batchSize() {
        return batchSize;
    }

    /** The side S of the images served. */
    public int imageSize() {
        return images.options().imageSize();
    }

    /** The files served. */
    public FolderImages images() {
        return images;
    }

    /** How many distinct files were skipped as unreadable so far (with {@link FolderOptions#skipBadImages()}). */
    public int skippedImages() {
        return skipped.size();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Starts {@link FolderOptions#workers()} daemon threads preparing up to the prefetch depth of
     * batches ahead; closing the iterator stops them. The arrays of a batch are reused: they are
     * valid until the next call to {@code next()}.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    @Override
    public BatchIterator epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " is negative");
        }
        return new FolderLoader(this, order(epoch), epoch, images.options().workers(), prefetch);
    }

    /** The order of epoch {@code epoch}: positions to indices of {@link #images()}. */
    public int[] order(int epoch) {
        return ImageBatchSource.order(images.size(), shuffle, seed, epoch);
    }

    /**
     * Decodes the image of {@code index}, at position {@code position} of epoch {@code epoch}, and
     * writes it transformed and normalised (3, S, S) to {@code dst} at {@code offset} (pure; any
     * thread, with that thread's resampler).
     *
     * @throws DatasetException naming the file if it cannot be decoded
     */
    public void prepare(int epoch, int position, int index, Resampler resampler, float[] dst, int offset) {
        RgbImage image = decoder.decode(images.file(index));
        CropBox box;
        if (augment) {
            box = Transforms.randomResizedCrop(image.width(), image.height(),
                    new SplittableRandom(Seeds.mix(seed, epoch, position, 0x1F0)));
        } else {
            box = Transforms.resizeCenterCrop(image.width(), image.height(), images.options().resizeSize(), imageSize());
        }
        resampler.resample(image, box, table, dst, offset);
    }

    /** Whether unreadable images are skipped. */
    boolean skipsBadImages() {
        return images.options().skipBadImages();
    }

    /** Records a skipped file and warns about it the first time. */
    void skip(Path file, DatasetException e) {
        if (skipped.add(file)) {
            warnings.accept(images.name() + ": skipped " + e.getMessage() + " (" + skipped.size() + " skipped so far)");
        }
    }

    /** Builds a {@link FolderBatchSource}: {@code setX} is required, {@code optX} optional. */
    public static final class Builder {
        private final FolderImages images;
        private int batchSize;
        private boolean shuffle = true;
        private boolean augment;
        private Normalization normalization = Normalization.IMAGENET;
        private long seed;
        private int prefetch = 2;
        private ImageDecoder decoder = ImageDecoder.standard();
        private Consumer<String> warnings = message -> System.err.println("twa4j: " + message);

        private Builder(FolderImages images) {
            if (images == null) {
                throw new IllegalArgumentException("image files are null");
            }
            this.images = images;
        }

        /** Examples per batch, at least 1 (required). */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each epoch visits the files in a seeded random order (default true). */
        public Builder optShuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** RandomResizedCrop and flip if true, else Resize + CenterCrop (default false). */
        public Builder optAugment(boolean augment) {
            this.augment = augment;
            return this;
        }

        /** The normalisation of the features (default {@link Normalization#IMAGENET}). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** The seed of shuffling and augmentation (default 0). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** How many batches are prepared ahead of the one being used, at least 1 (default 2). */
        public Builder optPrefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /** The decoder (default {@link ImageDecoder#standard()}). */
        public Builder optDecoder(ImageDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /** Where the one-line warnings about skipped images go (default standard error). */
        public Builder optWarnings(Consumer<String> warnings) {
            this.warnings = warnings;
            return this;
        }

        /**
         * The source.
         *
         * @throws IllegalArgumentException if the batch size is unset or not positive, the
         *     prefetch depth is below 1, there is no file, or the normalisation is not for 3 channels
         */
        public FolderBatchSource build() {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size " + batchSize + " must be at least 1 (setBatchSize)");
            }
            if (prefetch < 1) {
                throw new IllegalArgumentException("prefetch depth " + prefetch + " must be at least 1");
            }
            if (images.size() == 0) {
                throw new IllegalArgumentException(images.name() + " has no images to serve");
            }
            if (normalization == null || decoder == null || warnings == null) {
                throw new IllegalArgumentException("normalization, decoder and warnings must not be null");
            }
            return new FolderBatchSource(this);
        }
    }
}
