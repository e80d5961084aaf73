package io.twa4j.vision.data;

import java.util.SplittableRandom;

/**
 * The reference CIFAR augmentation: zero-pad by {@code padding} pixels on every side, take a random
 * crop of the original size, and flip horizontally with probability 1/2.
 *
 * <p>Padding happens on the 8-bit image, before normalisation, so padded pixels are black (0) and
 * become {@code (0 - mean) / std} once normalised — as torchvision's {@code RandomCrop(32,
 * padding=4)} before {@code ToTensor} and {@code Normalize} in the reference. The crop is applied
 * before the flip; the distribution of outputs equals the reference's flip-then-crop because the
 * crop offsets are symmetric.
 *
 * <p>Randomness is drawn by {@link #draw(SplittableRandom)} into a {@link Crop}, and {@link
 * #apply(byte[], int, int, int, int, Crop, byte[], int)} is a pure function of the image and that
 * decision, so results are reproducible from a seed and checkable pixel by pixel.
 */
public final class Augmentation {

    /**
     * One augmentation decision.
     *
     * @param top row of the padded image where the crop starts, {@code 0..2*padding} ({@code
     *     padding} = no vertical shift)
     * @param left column of the padded image where the crop starts, {@code 0..2*padding}
     * @param flip whether the crop is mirrored left to right
     */
    public record Crop(int top, int left, boolean flip) {}

    private final int padding;
    private final boolean flip;

    /**
     * An augmentation with the given zero padding and, if {@code flip}, random horizontal flips.
     *
     * @throws IllegalArgumentException if {@code padding} is negative
     */
    public Augmentation(int padding, boolean flip) {
        if (padding < 0) {
            throw new IllegalArgumentException("padding " + padding + " is negative");
        }
        this.padding = padding;
        this.flip = flip;
    }

    /** The reference's CIFAR augmentation: padding 4, random horizontal flip. */
    public static Augmentation standard() {
        return new Augmentation(4, true);
    }

    /** Zero padding on each side, in pixels. */
    public int padding() {
        return padding;
    }

    /** Whether images are flipped with probability 1/2. */
    public boolean flips() {
        return flip;
    }

    /**
     * Draws one decision: {@code top} then {@code left}, each uniform in {@code 0..2*padding}, then
     * the flip (a fair coin, always drawn; ignored when flips are off).
     */
    public Crop draw(SplittableRandom rng) {
        int top = rng.nextInt(2 * padding + 1);
        int left = rng.nextInt(2 * padding + 1);
        boolean mirror = rng.nextBoolean();
        return new Crop(top, left, flip && mirror);
    }

    /** Draws a decision from {@code rng} and applies it to one CHW image, returning a new array. */
    public byte[] apply(byte[] image, int channels, int height, int width, SplittableRandom rng) {
        return apply(image, channels, height, width, draw(rng));
    }

    /** Applies {@code crop} to one CHW image, returning a new array. */
    public byte[] apply(byte[] image, int channels, int height, int width, Crop crop) {
        if (image.length != channels * height * width) {
            throw new IllegalArgumentException(
                    "image of " + image.length + " bytes is not " + channels + "x" + height + "x" + width);
        }
        byte[] out = new byte[image.length];
        apply(image, 0, channels, height, width, crop, out, 0);
        return out;
    }

    /**
     * Writes the augmented image to {@code dst}: output pixel (c, y, x) is input pixel (c, y + top
     * - padding, x' + left - padding) with {@code x' = flip ? width - 1 - x : x}, or 0 where that
     * falls outside the image.
     *
     * @param src the source array, image CHW at {@code srcOffset}
     * @param dst the destination array, image CHW written at {@code dstOffset}
     * @throws IllegalArgumentException if the crop offsets are outside {@code 0..2*padding}
     */
    public void apply(
            byte[] src, int srcOffset, int channels, int height, int width, Crop crop, byte[] dst, int dstOffset) {
        int max = 2 * padding;
        if (crop.top() < 0 || crop.top() > max || crop.left() < 0 || crop.left() > max) {
            throw new IllegalArgumentException(crop + " is outside 0.." + max + " for padding " + padding);
        }
        int dy = crop.top() - padding;
        int dx = crop.left() - padding;
        for (int c = 0; c < channels; c++) {
            int plane = c * height * width;
            for (int y = 0; y < height; y++) {
                int out = dstOffset + plane + y * width;
                int sy = y + dy;
                if (sy < 0 || sy >= height) {
                    java.util.Arrays.fill(dst, out, out + width, (byte) 0);
                    continue;
                }
                int in = srcOffset + plane + sy * width;
                for (int x = 0; x < width; x++) {
                    int sx = (crop.flip() ? width - 1 - x : x) + dx;
                    dst[out + x] = (sx < 0 || sx >= width) ? 0 : src[in + sx];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Augmentation(padding " + padding + (flip ? ", random horizontal flip)" : ", no flip)");
    }
}
