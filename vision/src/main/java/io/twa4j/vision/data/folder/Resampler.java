package io.twa4j.vision.data.folder;

import java.util.Arrays;

/**
 * Bilinear resampling with antialiasing, as PIL's {@code Image.resize(..., BILINEAR)} that
 * torchvision applies to PIL images: separable, a triangle filter whose support widens by the
 * downscaling factor, weights normalised per output pixel, horizontal pass then vertical.
 *
 * <p>Output pixel {@code x} of an axis covering source {@code [start, start + length)} with {@code
 * n} outputs is centred at source coordinate {@code start + (x + 0.5) · length / n}; with {@code
 * scale = max(1, length / n)} it reads source pixels {@code k} with {@code |k + 0.5 - centre| <
 * scale}, weighted {@code 1 - |k + 0.5 - centre| / scale}, limited to the crop's clip range.
 * The result is rounded to 8 bits (as PIL's) and then normalised through a lookup table.
 *
 * <p>One instance holds scratch buffers reused from call to call, so it is for one thread.
 */
public final class Resampler {

    private final int size;
    private final Axis columns;
    private final Axis rows;
    private float[] horizontal = new float[0];
    private float[] sourceRow = new float[0];
    private float[] outputRow = new float[0];

    /** A resampler to {@code size} × {@code size} outputs. */
    public Resampler(int size) {
        this.size = size;
        this.columns = new Axis(size);
        this.rows = new Axis(size);
    }

    /** The output side. */
    public int size() {
        return size;
    }

    /**
     * Resamples {@code box} of {@code image} to {@code size} × {@code size} and writes it CHW to
     * {@code dst} at {@code offset}, channel {@code c} value {@code v} written as {@code
     * table[c][v]} (see {@link io.twa4j.vision.data.Normalization#table(int)}).
     *
     * @throws IllegalArgumentException if the box is outside the image
     */
    public void resample(RgbImage image, CropBox box, float[][] table, float[] dst, int offset) {
        if (!box.within(image.width(), image.height())) {
            throw new IllegalArgumentException(box + " is outside a " + image.width() + "x" + image.height() + " image");
        }
        columns.set(box.left(), box.width(), box.clipLeft(), box.clipRight());
        rows.set(box.top(), box.height(), box.clipTop(), box.clipBottom());
        int firstRow = rows.first[0];
        int lastRow = rows.first[size - 1] + rows.count[size - 1];
        int needed = (lastRow - firstRow) * size * 3;
        if (horizontal.length < needed) {
            horizontal = new float[needed];
        }
        horizontalPass(image, firstRow, lastRow);
        verticalPass(firstRow, box.flip(), table, dst, offset);
    }

    /**
     * Rows {@code firstRow .. lastRow} of the source, resampled along x into {@link #horizontal}:
     * (row, x, c). Each source row is widened to floats once ({@link #sourceRow}), not once per tap.
     */
    private void horizontalPass(RgbImage image, int firstRow, int lastRow) {
        byte[] px = image.pixels();
        int w = image.width();
        int from = columns.first[0];
        int to = columns.first[size - 1] + columns.count[size - 1];
        if (sourceRow.length < (to - from) * 3) {
            sourceRow = new float[(to - from) * 3];
        }
        float[] row = sourceRow;
        for (int y = firstRow; y < lastRow; y++) {
            int rowBase = (y * w + from) * 3;
            for (int i = 0; i < (to - from) * 3; i++) {
                row[i] = px[rowBase + i] & 0xFF;
            }
            int out = (y - firstRow) * size * 3;
            for (int x = 0; x < size; x++) {
                int n = columns.count[x];
                int wBase = x * columns.taps;
                float r = 0;
                float g = 0;
                float b = 0;
                for (int k = 0, in = (columns.first[x] - from) * 3; k < n; k++, in += 3) {
                    float weight = columns.weights[wBase + k];
                    r += weight * row[in];
                    g += weight * row[in + 1];
                    b += weight * row[in + 2];
                }
                horizontal[out++] = r;
                horizontal[out++] = g;
                horizontal[out++] = b;
            }
        }
    }

    /**
     * Output rows from {@link #horizontal} along y: each output row accumulates its source rows
     * whole ({@code acc[i] += weight · row[i]}, a loop the JIT turns into vector instructions), in
     * the same order of taps as one pixel at a time would, so the sums are the same.
     */
    private void verticalPass(int firstRow, boolean flip, float[][] table, float[] dst, int offset) {
        int plane = size * size;
        int rowLength = size * 3;
        if (outputRow.length < rowLength) {
            outputRow = new float[rowLength];
        }
        float[] acc = outputRow;
        for (int y = 0; y < size; y++) {
            int k0 = rows.first[y] - firstRow;
            int wBase = y * rows.taps;
            Arrays.fill(acc, 0, rowLength, 0f);
            for (int k = 0; k < rows.count[y]; k++) {
                float weight = rows.weights[wBase + k];
                int in = (k0 + k) * rowLength;
                for (int i = 0; i < rowLength; i++) {
                    acc[i] += weight * horizontal[in + i];
                }
            }
            for (int x = 0; x < size; x++) {
                int o = offset + y * size + (flip ? size - 1 - x : x);
                dst[o] = table[0][clamp(acc[3 * x])];
                dst[o + plane] = table[1][clamp(acc[3 * x + 1])];
                dst[o + 2 * plane] = table[2][clamp(acc[3 * x + 2])];
            }
        }
    }

    private static int clamp(float v) {
        int i = Math.round(v);
        return i < 0 ? 0 : Math.min(i, 255);
    }

    /** The filter taps of one axis: output {@code i} reads {@code count[i]} inputs from {@code first[i]}. */
    private static final class Axis {
        final int[] first;
        final int[] count;
        float[] weights = new float[0];
        int taps;

        Axis(int size) {
            first = new int[size];
            count = new int[size];
        }

        void set(double start, double length, int clipLo, int clipHi) {
            int n = first.length;
            double scale = length / n;
            double filterScale = Math.max(1.0, scale);
            double support = filterScale; // the triangle filter's support is 1
            taps = (int) Math.ceil(support) * 2 + 1;
            if (weights.length < n * taps) {
                weights = new float[n * taps];
            }
            Arrays.fill(weights, 0, n * taps, 0f);
            for (int i = 0; i < n; i++) {
                double centre = start + (i + 0.5) * scale;
                int lo = Math.max((int) Math.floor(centre - support + 0.5), clipLo);
                int hi = Math.min((int) Math.floor(centre + support + 0.5), clipHi);
                lo = Math.min(lo, clipHi - 1); // at least one tap, even at the border
                hi = Math.max(hi, lo + 1);
                hi = Math.min(hi, lo + taps);
                double total = 0;
                for (int k = lo; k < hi; k++) {
                    double t = Math.abs(k + 0.5 - centre) / filterScale;
                    total += t < 1 ? 1 - t : 0;
                }
                first[i] = lo;
                count[i] = hi - lo;
                for (int k = lo; k < hi; k++) {
                    double t = Math.abs(k + 0.5 - centre) / filterScale;
                    double weight = t < 1 ? 1 - t : 0;
                    weights[i * taps + k - lo] = (float) (total > 0 ? weight / total : 1.0 / (hi - lo));
                }
            }
        }
    }
}
