package io.twa4j.vision.data;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Labelled 8-bit images held in memory, row-major NCHW.
 *
 * <p>The pixel array holds {@code size() * channels * height * width} unsigned bytes: image
 * {@code i}, channel {@code c}, row {@code y}, column {@code x} is at {@code ((i * C + c) * H + y) * W
 * + x}. An image set is immutable: the constructor takes ownership of the arrays it is given (the
 * caller must not change them afterwards) and accessors hand out copies.
 */
public final class ImageSet implements LabelledImages<ImageSet> {

    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int numClasses;
    private final int channels;
    private final int height;
    private final int width;

    /**
     * An image set over the given arrays (taken over, not copied).
     *
     * @param name a short name for messages, e.g. {@code fashion-mnist/train}
     * @param pixels {@code labels.length * channels * height * width} bytes, NCHW
     * @param labels the class of each image, in {@code [0, numClasses)}
     * @param numClasses the number of classes, at least 1
     * @param channels channels per image, at least 1
     * @param height rows per image, at least 1
     * @param width columns per image, at least 1
     * @throws IllegalArgumentException if the sizes disagree or a label is out of range
     */
    public ImageSet(
            String name, byte[] pixels, int[] labels, int numClasses, int channels, int height, int width) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an image set needs a name");
        }
        if (numClasses < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(name + ": numClasses " + numClasses + ", channels " + channels
                    + ", height " + height + ", width " + width + " must all be at least 1");
        }
        long expected = (long) labels.length * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(name + ": " + labels.length + " images of " + channels + "x" + height
                    + "x" + width + " need " + expected + " bytes, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(
                        name + ": label " + labels[i] + " of image " + i + " is not in [0, " + numClasses + ")");
            }
        }
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.numClasses = numClasses;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** The name given at construction, e.g. {@code cifar10/train}. */
    public String name() {
        return name;
    }

    /** The number of images. */
    public int size() {
        return labels.length;
    }

    /** The number of classes the labels range over. */
    public int numClasses() {
        return numClasses;
    }

    /** Channels per image. */
    public int channels() {
        return channels;
    }

    /** Rows per image. */
    public int height() {
        return height;
    }

    /** Columns per image. */
    public int width() {
        return width;
    }

    /** Bytes per image: channels × height × width. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The shape of one image, (C, H, W). */
    public Shape imageShape() {
        return new Shape(channels, height, width);
    }

    /** The class of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** A copy of all labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** How many images each class has (length {@link #numClasses()}). */
    public int[] labelCounts() {
        int[] counts = new int[numClasses];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The value (0..255) of pixel (c, y, x) of image {@code i}. */
    public int pixel(int i, int c, int y, int x) {
        if (c < 0 || c >= channels || y < 0 || y >= height || x < 0 || x >= width) {
            throw new IndexOutOfBoundsException("pixel (" + c + ", " + y + ", " + x + ") outside " + imageShape());
        }
        return pixels[((i * channels + c) * height + y) * width + x] & 0xFF;
    }

    /** A copy of image {@code i}, CHW. */
    public byte[] image(int i) {
        byte[] out = new byte[imageSize()];
        copyImage(i, out, 0);
        return out;
    }

    /** Copies image {@code i} (CHW) into {@code dst} at {@code offset}. */
    public void copyImage(int i, byte[] dst, int offset) {
        java.util.Objects.checkIndex(i, labels.length);
        System.arraycopy(pixels, i * imageSize(), dst, offset, imageSize());
    }

    /**
     * The first {@code n} images (all of them when {@code n >= size()}).
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public ImageSet limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + ": limit " + n + " is negative");
        }
        return n >= size() ? this : slice(0, n);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), as a new set with the same name. */
    public ImageSet slice(int from, int to) {
        return slice(from, to, name);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), as a new set called {@code newName}. */
    public ImageSet slice(int from, int to, String newName) {
        if (from < 0 || to > size() || from > to) {
            throw new IllegalArgumentException(name + ": slice [" + from + ", " + to + ") outside [0, " + size() + ")");
        }
        int per = imageSize();
        return new ImageSet(
                newName,
                Arrays.copyOfRange(pixels, from * per, to * per),
                Arrays.copyOfRange(labels, from, to),
                numClasses,
                channels,
                height,
                width);
    }

    /**
     * The images at {@code indices} (in that order), as a new set called {@code newName}.
     *
     * @throws IndexOutOfBoundsException if an index is outside {@code [0, size())}
     */
    public ImageSet subset(int[] indices, String newName) {
        int per = imageSize();
        byte[] chosen = new byte[indices.length * per];
        int[] chosenLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            java.util.Objects.checkIndex(indices[k], labels.length);
            System.arraycopy(pixels, indices[k] * per, chosen, k * per, per);
            chosenLabels[k] = labels[indices[k]];
        }
        return new ImageSet(newName, chosen, chosenLabels, numClasses, channels, height, width);
    }

    /**
     * {@inheritDoc}
     *
     * <p>An {@link ImageBatchSource}, augmented with {@link Augmentation#standard()} when asked.
     */
    @Override
    public io.twa4j.core.data.BatchSource batches(BatchOptions options) {
        return ImageBatchSource.builder(this)
                .setBatchSize(options.batchSize())
                .optShuffle(options.training())
                .optAugment(options.training() && options.augment())
                .optNormalization(options.normalization())
                .optSeed(options.seed())
                .build();
    }

    /** The backing pixel array, for readers in this package that must not copy it. */
    byte[] pixelData() {
        return pixels;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images of " + channels + "x" + height + "x" + width + ", " + numClasses
                + " classes)";
    }
}
