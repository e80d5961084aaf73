package io.twa4j.vision.data.folder;

import io.twa4j.core.data.BatchSource;
import io.twa4j.vision.data.LabelledImages;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The image files of one split of an {@link ImageFolder}, with their labels: read, decoded and
 * transformed only when served ({@link #batches}).
 */
public final class FolderImages implements LabelledImages<FolderImages> {

    private final String name;
    private final List<Path> files;
    private final int[] labels;
    private final int numClasses;
    private final FolderOptions options;

    /**
     * The files and their labels (copied).
     *
     * @throws IllegalArgumentException if the lengths differ or a label is outside {@code [0, numClasses)}
     */
    public FolderImages(String name, List<Path> files, int[] labels, int numClasses, FolderOptions options) {
        this.name = Objects.requireNonNull(name, "name");
        this.files = List.copyOf(files);
        this.labels = labels.clone();
        this.numClasses = numClasses;
        this.options = Objects.requireNonNull(options, "options");
        if (this.files.size() != labels.length) {
            throw new IllegalArgumentException(name + ": " + files.size() + " files but " + labels.length + " labels");
        }
        for (int label : labels) {
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + label + " is not in [0, " + numClasses + ")");
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    /** The file of image {@code i}. */
    public Path file(int i) {
        return files.get(i);
    }

    /** The files, in order. */
    public List<Path> files() {
        return files;
    }

    /** How the images are served. */
    public FolderOptions options() {
        return options;
    }

    /** These files served with other options. */
    public FolderImages withOptions(FolderOptions newOptions) {
        return new FolderImages(name, files, labels, numClasses, newOptions);
    }

    @Override
    public FolderImages limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + ": limit " + n + " is negative");
        }
        if (n >= size()) {
            return this;
        }
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
        }
        return subset(first, name);
    }

    @Override
    public FolderImages subset(int[] indices, String newName) {
        Path[] chosen = new Path[indices.length];
        int[] chosenLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            Objects.checkIndex(indices[k], labels.length);
            chosen[k] = files.get(indices[k]);
            chosenLabels[k] = labels[indices[k]];
        }
        return new FolderImages(newName, List.of(chosen), chosenLabels, numClasses, options);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A {@link FolderBatchSource}: training batches with RandomResizedCrop and flip when {@code
     * augment}, else (and for evaluation) Resize + CenterCrop.
     */
    @Override
    public BatchSource batches(BatchOptions batch) {
        return FolderBatchSource.builder(this)
                .setBatchSize(batch.batchSize())
                .optShuffle(batch.training())
                .optAugment(batch.training() && batch.augment())
                .optNormalization(batch.normalization())
                .optSeed(batch.seed())
                .build();
    }

    @Override
    public String toString() {
        return name + " (" + size() + " image files, " + numClasses + " classes, served at " + options.imageSize() + "x"
                + options.imageSize() + ")";
    }
}
