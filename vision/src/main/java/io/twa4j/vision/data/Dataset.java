package io.twa4j.vision.data;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One dataset of the registry {@link Datasets}: everything known about it, and how to read it.
 *
 * <p>Adding a dataset is adding one such entry to {@link Datasets#ALL}.
 *
 * @param name the canonical name, lower case (e.g. {@code fashion-mnist}); splits are named {@code
 *     <name>/train} and {@code <name>/test}
 * @param imageShape the shape (C, H, W) of one image; the models are built for it, and readers
 *     refuse files holding images of another size
 * @param classes the number of classes (labels are {@code 0 .. classes - 1})
 * @param normalization the per-channel normalisation the dataset is trained with
 * @param defaultDir where the files are looked for when no directory is given, relative to the
 *     working directory unless absolute; {@code null} for a dataset that needs no files (synthetic)
 * @param augmentByDefault whether training images are augmented (random crop with padding and
 *     horizontal flip) unless the user says otherwise: true for CIFAR
 * @param reader reads one split from a directory
 */
public record Dataset(
        String name,
        Shape imageShape,
        int classes,
        Normalization normalization,
        Path defaultDir,
        boolean augmentByDefault,
        Reader reader) {

    /** Reads one split of a dataset. */
    @FunctionalInterface
    public interface Reader {

        /**
         * Reads the training or test split of {@code dataset} from {@code dir}, naming it {@link
         * Dataset#split(boolean) dataset.split(train)}.
         *
         * @param dataset the entry read, for its name, shape and classes
         * @param dir the directory given by the user, else the entry's {@link Dataset#defaultDir()}
         *     (so {@code null} only for a dataset without one, which should then need no files)
         * @param train the training split if true, else the test split
         * @throws DatasetException if the files are missing (one line naming the files expected,
         *     the directory and how to get them), malformed, or of another image size
         */
        ImageSet read(Dataset dataset, Path dir, boolean train);
    }

    /**
     * An entry, checked.
     *
     * @throws IllegalArgumentException if the name is blank, the shape is not three positive
     *     dimensions, there are fewer than 2 classes, or the normalisation has neither 1 nor C
     *     channels
     * @throws NullPointerException if the name, shape, normalisation or reader is null
     */
    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(imageShape, "imageShape");
        Objects.requireNonNull(normalization, "normalization");
        Objects.requireNonNull(reader, "reader");
        if (name.isBlank()) {
            throw new IllegalArgumentException("dataset name is blank");
        }
        long[] dims = imageShape.getShape().clone();
        if (dims.length != 3 || dims[0] < 1 || dims[1] < 1 || dims[2] < 1) {
            throw new IllegalArgumentException(name + ": image shape " + imageShape + " is not (C, H, W), each positive");
        }
        if (classes < 2) {
            throw new IllegalArgumentException(name + ": " + classes + " classes, need at least 2");
        }
        if (normalization.channels() != 1 && normalization.channels() != dims[0]) {
            throw new IllegalArgumentException(
                    name + ": normalisation for " + normalization.channels() + " channels, but images have " + dims[0]);
        }
        imageShape = new Shape(dims);
    }

    /** The shape (C, H, W) of one image (a fresh copy: DJL shapes can be changed in place). */
    @Override
    public Shape imageShape() {
        return new Shape(imageShape.getShape().clone());
    }

    /** The name of a split: {@code <name>/train} or {@code <name>/test}. */
    public String split(boolean train) {
        return name + (train ? "/train" : "/test");
    }

    /**
     * Loads a split, named {@link #split(boolean)}.
     *
     * @param dataDir the directory holding the files, or {@code null} for {@link #defaultDir()}
     * @param train the training split if true, else the test split
     * @throws DatasetException if the files are missing, malformed, or hold images of another size
     *     than {@link #imageShape()}
     */
    public ImageSet load(Path dataDir, boolean train) {
        return reader.read(this, dataDir != null ? dataDir : defaultDir, train);
    }
}
