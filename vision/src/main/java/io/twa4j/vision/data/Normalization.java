package io.twa4j.vision.data;

import java.util.Arrays;

/**
 * Per-channel normalisation of 8-bit pixels, as torchvision's {@code ToTensor} followed by {@code
 * Normalize(mean, std)}: a byte {@code v} of channel {@code c} becomes {@code (v / 255 - mean[c]) /
 * std[c]}.
 *
 * <p>A normalisation with one mean and one std applies to every channel. The one a dataset is
 * trained with is its {@link Dataset#normalization()}.
 */
public final class Normalization {

    /** CIFAR-10 and CIFAR-100, the values of the TWA reference code. */
    public static final Normalization CIFAR =
            of(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2023f, 0.1994f, 0.2010f});

    /** ImageNet (torchvision's and the reference's {@code train_sgd_imagenet.py}): used for image folders. */
    public static final Normalization IMAGENET =
            of(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /** Fashion-MNIST. */
    public static final Normalization FASHION_MNIST = of(0.2860f, 0.3530f);

    /** MNIST. */
    public static final Normalization MNIST = of(0.1307f, 0.3081f);

    /** The synthetic set of {@link Datasets} (measured on it, rounded). */
    public static final Normalization SYNTHETIC = of(0.5f, 0.25f);

    /** No centring or scaling: {@code v / 255}. */
    public static final Normalization NONE = of(0f, 1f);

    private final float[] mean;
    private final float[] std;

    private Normalization(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * A normalisation with one mean and std per channel (or one of each for all channels).
     *
     * @throws IllegalArgumentException if the lengths differ or are zero, a value is not finite,
     *     or a std is not positive
     */
    public static Normalization of(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException(
                    "mean " + Arrays.toString(mean) + " and std " + Arrays.toString(std) + " need the same, non-zero length");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || std[c] <= 0) {
                throw new IllegalArgumentException(
                        "mean " + mean[c] + " and std " + std[c] + " of channel " + c + " must be finite, std positive");
            }
        }
        return new Normalization(mean.clone(), std.clone());
    }

    /** The same mean and std for every channel. */
    public static Normalization of(float mean, float std) {
        return of(new float[] {mean}, new float[] {std});
    }

    /** The per-channel mean and std of a whole image set, on the 0..1 scale. */
    public static Normalization compute(ImageSet set) {
        int c = set.channels();
        int plane = set.height() * set.width();
        long[] sum = new long[c];
        long[] sumSq = new long[c];
        byte[] px = set.pixelData();
        for (int i = 0; i < set.size(); i++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * plane;
                long s = 0, q = 0;
                for (int p = 0; p < plane; p++) {
                    int v = px[base + p] & 0xFF;
                    s += v;
                    q += v * v;
                }
                sum[ch] += s;
                sumSq[ch] += q;
            }
        }
        double count = (double) set.size() * plane;
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double m = sum[ch] / count / 255.0;
            double var = sumSq[ch] / count / (255.0 * 255.0) - m * m;
            mean[ch] = (float) m;
            std[ch] = (float) Math.max(Math.sqrt(Math.max(var, 0)), 1e-6);
        }
        return of(mean, std);
    }

    /** The number of channels given (1 means it applies to any number of channels). */
    public int channels() {
        return mean.length;
    }

    /** The mean of channel {@code c} on the 0..1 scale. */
    public float mean(int c) {
        return mean[mean.length == 1 ? 0 : c];
    }

    /** The std of channel {@code c} on the 0..1 scale. */
    public float std(int c) {
        return std[std.length == 1 ? 0 : c];
    }

    /** The normalised value of byte {@code value} (0..255) in channel {@code c}. */
    public float apply(int c, int value) {
        return (float) ((value / 255.0 - mean(c)) / std(c));
    }

    /**
     * A table {@code [c][v]} of {@link #apply(int, int)} for {@code channels} channels and every
     * byte value.
     *
     * @throws IllegalArgumentException if this normalisation has a different number of channels
     */
    public float[][] table(int channels) {
        if (mean.length != 1 && mean.length != channels) {
            throw new IllegalArgumentException(
                    "normalisation for " + mean.length + " channels applied to images with " + channels);
        }
        float[][] table = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int v = 0; v < 256; v++) {
                table[c][v] = apply(c, v);
            }
        }
        return table;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization(mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ")";
    }
}
