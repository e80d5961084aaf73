package io.twa4j.vision.data.folder;

import java.util.SplittableRandom;

/**
 * The reference's ImageNet transforms ({@code train_sgd_imagenet.py}, torchvision semantics) as
 * crop decisions on a source image of {@code width} × {@code height}; {@link Resampler} carries
 * them out.
 *
 * <ul>
 *   <li>Training: {@code RandomResizedCrop(S)} — up to 10 attempts of an area fraction uniform in
 *       [0.08, 1] and an aspect ratio (width / height) log-uniform in [3/4, 4/3], {@code w =
 *       round(sqrt(area · ratio))}, {@code h = round(sqrt(area / ratio))} (Python's round: half
 *       to even), accepted if it fits, placed uniformly; else the central crop of the largest
 *       size whose ratio is clamped to [3/4, 4/3] — then {@code RandomHorizontalFlip(0.5)}.
 *   <li>Evaluation: {@code Resize(round(S · 256 / 224))} of the shorter side (the longer side
 *       {@code int(size · long / short)}), then {@code CenterCrop(S)} with offsets {@code
 *       round((resized - S) / 2)}.
 * </ul>
 */
public final class Transforms {

    /** The smallest area fraction of a random crop. */
    public static final double MIN_SCALE = 0.08;

    /** The largest area fraction of a random crop. */
    public static final double MAX_SCALE = 1.0;

    /** The smallest aspect ratio (width / height) of a random crop. */
    public static final double MIN_RATIO = 3.0 / 4.0;

    /** The largest aspect ratio of a random crop. */
    public static final double MAX_RATIO = 4.0 / 3.0;

    /** Attempts before the central fallback. */
    public static final int ATTEMPTS = 10;

    private Transforms() {}

    /**
     * The training crop of a {@code width} × {@code height} image: RandomResizedCrop's box, then
     * the flip (a fair coin, drawn last). Draws come from {@code rng} only.
     */
    public static CropBox randomResizedCrop(int width, int height, SplittableRandom rng) {
        double area = (double) width * height;
        double logMin = Math.log(MIN_RATIO);
        double logMax = Math.log(MAX_RATIO);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double target = area * (MIN_SCALE + (MAX_SCALE - MIN_SCALE) * rng.nextDouble());
            double ratio = Math.exp(logMin + (logMax - logMin) * rng.nextDouble());
            int w = (int) Math.rint(Math.sqrt(target * ratio));
            int h = (int) Math.rint(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int i = rng.nextInt(height - h + 1);
                int j = rng.nextInt(width - w + 1);
                return CropBox.crop(i, j, h, w, rng.nextBoolean());
            }
        }
        return fallback(width, height, rng.nextBoolean());
    }

    /** RandomResizedCrop's fallback: the central crop, its ratio clamped to [3/4, 4/3]. */
    static CropBox fallback(int width, int height, boolean flip) {
        double inRatio = (double) width / height;
        int w = width;
        int h = height;
        if (inRatio < MIN_RATIO) {
            h = (int) Math.rint(w / MIN_RATIO);
        } else if (inRatio > MAX_RATIO) {
            w = (int) Math.rint(h * MAX_RATIO);
        }
        return CropBox.crop((height - h) / 2, (width - w) / 2, h, w, flip);
    }

    /**
     * The evaluation crop of a {@code width} × {@code height} image: Resize({@code resize}) of the
     * shorter side, then the central {@code size} × {@code size}, expressed on the source (the
     * filter may read the whole image, as the resize comes first).
     *
     * @throws IllegalArgumentException if {@code size > resize}
     */
    public static CropBox resizeCenterCrop(int width, int height, int resize, int size) {
        if (size > resize) {
            throw new IllegalArgumentException("center crop " + size + " is larger than the resized side " + resize);
        }
        int outW;
        int outH;
        if (width <= height) {
            outW = resize;
            outH = (int) ((long) resize * height / width);
        } else {
            outH = resize;
            outW = (int) ((long) resize * width / height);
        }
        int top = (int) Math.rint((outH - size) / 2.0);
        int left = (int) Math.rint((outW - size) / 2.0);
        double sy = (double) height / outH;
        double sx = (double) width / outW;
        return new CropBox(top * sy, left * sx, size * sy, size * sx, 0, 0, height, width, false);
    }
}
