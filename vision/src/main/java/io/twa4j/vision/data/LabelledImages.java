package io.twa4j.vision.data;

import io.twa4j.core.data.BatchSource;

/**
 * A split of labelled images that can be cut down ({@link #limit}, {@link #subset}) and served in
 * batches: what a run trains and evaluates on, whether the images are held in memory ({@link
 * ImageSet}) or read from files as they are needed ({@link io.twa4j.vision.data.folder.FolderImages}).
 *
 * <p>Implementations are immutable; {@code limit} and {@code subset} return new sets of the same
 * kind ({@code T}), so that a {@link HeldOutSplit} of either kind keeps its kind.
 *
 * @param <T> the implementing type itself
 */
public interface LabelledImages<T extends LabelledImages<T>> {

    /** A short name for messages, e.g. {@code cifar10/train}. */
    String name();

    /** The number of images. */
    int size();

    /** The number of classes the labels range over. */
    int numClasses();

    /** The class of image {@code i}, in {@code [0, numClasses())}. */
    int label(int i);

    /** How many images each class has, indexed by class. */
    default int[] labelCounts() {
        int[] counts = new int[numClasses()];
        for (int i = 0; i < size(); i++) {
            counts[label(i)]++;
        }
        return counts;
    }

    /**
     * The first {@code n} images (all of them when {@code n >= size()}).
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    T limit(int n);

    /**
     * The images at {@code indices} (in that order), as a new set called {@code newName}.
     *
     * @throws IndexOutOfBoundsException if an index is outside {@code [0, size())}
     */
    T subset(int[] indices, String newName);

    /**
     * These images in batches of normalised floats (N, C, H, W): training batches ({@code
     * options.training()}) are shuffled by epoch and augmented where asked, evaluation batches keep
     * the set's order.
     *
     * @throws IllegalArgumentException if the set is empty or the options do not fit the images
     */
    BatchSource batches(BatchOptions options);

    /**
     * How a set is served in batches.
     *
     * @param batchSize examples per batch, at least 1 (the last batch of an epoch may hold fewer)
     * @param training shuffle every epoch (seeded by {@code (seed, epoch)}) if true, else the set's order
     * @param augment augment training images (the dataset's augmentation; ignored unless {@code training})
     * @param normalization the per-channel normalisation of the features
     * @param seed the seed of shuffling and augmentation
     */
    record BatchOptions(int batchSize, boolean training, boolean augment, Normalization normalization, long seed) {}
}
