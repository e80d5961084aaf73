package io.twa4j.vision.data;

import java.util.SplittableRandom;

/**
 * A seeded, learnable image set for tests and smoke runs: each class has a smooth random
 * prototype (a coarse 4×4 grid of random intensities per channel, bilinearly upsampled); an
 * example is its class's prototype at a random contrast plus per-pixel noise.
 *
 * <p>{@link Style#HARD} makes a set on which methods differ (the demo's, where Fashion-MNIST is
 * absent): the classes' prototypes share most of one common pattern, the noise is stronger, and a
 * tenth of the labels are drawn at random, so no model reaches 100% and SGD stays well below it.
 *
 * <p>The same arguments always give the same bytes. The prototypes depend only on {@code seed},
 * {@code numClasses} and the image shape, so a longer set generated from the same seed extends a
 * shorter one: take the first part as a training split and the rest as a test split drawn from
 * the same classes.
 */
public final class SyntheticImages {

    private static final int GRID = 4;

    private SyntheticImages() {}

    /**
     * How the examples are drawn.
     *
     * @param shared the weight of a pattern common to all classes in each class's prototype, in
     *     [0, 1): the larger, the more the classes overlap
     * @param noise the standard deviation of the per-pixel noise, intensities in [0, 1]
     * @param labelNoise the fraction of examples whose label is drawn uniformly at random
     */
    public record Style(double shared, double noise, double labelNoise) {
        /** The plain learnable set: separate prototypes, noise 0.2, no label noise. */
        public static final Style EASY = new Style(0, 0.2, 0);
        /** Overlapping classes (70% shared pattern), noise 0.45, 10% random labels. */
        public static final Style HARD = new Style(0.7, 0.45, 0.1);
    }

    /**
     * Generates {@code n} images of {@code channels × height × width} over {@code numClasses}
     * classes (labels uniform at random), called {@code synthetic}.
     *
     * @throws IllegalArgumentException if a size is not positive ({@code n} may be 0)
     */
    public static ImageSet generate(long seed, int n, int numClasses, int channels, int height, int width) {
        return generate(seed, n, numClasses, channels, height, width, Style.EASY);
    }

    /** As {@link #generate(long, int, int, int, int, int)}, drawn in {@code style}. */
    public static ImageSet generate(long seed, int n, int numClasses, int channels, int height, int width, Style style) {
        if (n < 0 || numClasses < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("synthetic set of " + n + " images, " + numClasses + " classes, "
                    + channels + "x" + height + "x" + width + ": sizes must be positive");
        }
        int size = channels * height * width;
        if ((long) n * size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("synthetic set of " + n + " images of " + size + " bytes is too large");
        }
        float[][] prototypes = prototypes(new SplittableRandom(Seeds.mix(seed, 1)), numClasses, channels, height, width);
        if (style.shared() > 0) {
            float[] common = prototypes(new SplittableRandom(Seeds.mix(seed, 3)), 1, channels, height, width)[0];
            for (float[] prototype : prototypes) {
                for (int p = 0; p < size; p++) {
                    prototype[p] = (float) (style.shared() * common[p] + (1 - style.shared()) * prototype[p]);
                }
            }
        }
        SplittableRandom relabel = new SplittableRandom(Seeds.mix(seed, 4));
        SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, 2));
        byte[] pixels = new byte[n * size];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(numClasses);
            labels[i] = style.labelNoise() > 0 && relabel.nextDouble() < style.labelNoise() ? relabel.nextInt(numClasses) : label;
            double contrast = 0.6 + 0.4 * rng.nextDouble();
            float[] proto = prototypes[label];
            int base = i * size;
            for (int p = 0; p < size; p++) {
                double v = 0.5 + contrast * (proto[p] - 0.5) + style.noise() * gaussian(rng);
                pixels[base + p] = (byte) Math.round(255 * Math.min(1.0, Math.max(0.0, v)));
            }
        }
        return new ImageSet("synthetic", pixels, labels, numClasses, channels, height, width);
    }

    /** One smooth pattern in [0, 1] per class, CHW. */
    private static float[][] prototypes(SplittableRandom rng, int numClasses, int channels, int height, int width) {
        float[][] out = new float[numClasses][channels * height * width];
        double[] grid = new double[GRID * GRID];
        for (int k = 0; k < numClasses; k++) {
            for (int c = 0; c < channels; c++) {
                for (int g = 0; g < grid.length; g++) {
                    grid[g] = rng.nextDouble();
                }
                for (int y = 0; y < height; y++) {
                    double gy = height == 1 ? 0 : (double) y * (GRID - 1) / (height - 1);
                    int y0 = Math.min((int) gy, GRID - 2);
                    double fy = gy - y0;
                    for (int x = 0; x < width; x++) {
                        double gx = width == 1 ? 0 : (double) x * (GRID - 1) / (width - 1);
                        int x0 = Math.min((int) gx, GRID - 2);
                        double fx = gx - x0;
                        double top = grid[y0 * GRID + x0] * (1 - fx) + grid[y0 * GRID + x0 + 1] * fx;
                        double bottom = grid[(y0 + 1) * GRID + x0] * (1 - fx) + grid[(y0 + 1) * GRID + x0 + 1] * fx;
                        out[k][(c * height + y) * width + x] = (float) (top * (1 - fy) + bottom * fy);
                    }
                }
            }
        }
        return out;
    }

    /** An approximately standard normal value (sum of four uniforms, rescaled). */
    private static double gaussian(SplittableRandom rng) {
        double s = rng.nextDouble() + rng.nextDouble() + rng.nextDouble() + rng.nextDouble();
        return (s - 2.0) * Math.sqrt(3.0);
    }
}
