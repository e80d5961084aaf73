package io.twa4j.vision.data.folder;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * The OpenCV path measured by {@link OpenCvBench}: {@code Imgcodecs.imdecode} (libjpeg-turbo,
 * libpng bundled in {@code org.openpnp:opencv}) and {@code Imgproc.resize} of the crop. OpenCV's
 * own thread pool is set to one thread, so figures are per core as the Java path's.
 */
final class OpenCvImages {

    /** Colour, EXIF orientation ignored (PIL's {@code Image.open} does not rotate either). */
    private static final int FLAGS = Imgcodecs.IMREAD_COLOR | Imgcodecs.IMREAD_IGNORE_ORIENTATION;

    static {
        nu.pattern.OpenCV.loadLocally();
        Core.setNumThreads(1);
    }

    private OpenCvImages() {}

    /** Loads the native library (once). */
    static void load() {}

    /** Decodes to a BGR {@link Mat}; the caller releases it. */
    static Mat decodeBgr(byte[] bytes, String name) {
        MatOfByte buffer = new MatOfByte(bytes);
        try {
            Mat bgr = Imgcodecs.imdecode(buffer, FLAGS);
            if (bgr.empty()) {
                throw new IllegalArgumentException(name + ": OpenCV cannot decode it");
            }
            return bgr;
        } finally {
            buffer.release();
        }
    }

    /** Decodes to interleaved RGB, as {@link ImageDecoder#decode(byte[], String)}. */
    static RgbImage decode(byte[] bytes, String name) {
        Mat bgr = decodeBgr(bytes, name);
        Mat rgb = new Mat();
        try {
            Imgproc.cvtColor(bgr, rgb, Imgproc.COLOR_BGR2RGB);
            byte[] pixels = new byte[rgb.cols() * rgb.rows() * 3];
            rgb.get(0, 0, pixels);
            return new RgbImage(pixels, rgb.cols(), rgb.rows());
        } finally {
            bgr.release();
            rgb.release();
        }
    }

    /**
     * Resizes the integer crop {@code box} of {@code bgr} to {@code size} × {@code size} with
     * {@code interpolation} (an {@code Imgproc.INTER_*}), mirrors it if the box says so, and
     * writes it CHW through {@code table} as {@link Resampler#resample} does.
     */
    static void resample(Mat bgr, CropBox box, int size, int interpolation, float[][] table, float[] dst, int offset,
            byte[] scratch) {
        Rect roi = new Rect((int) box.left(), (int) box.top(), (int) box.width(), (int) box.height());
        Mat crop = bgr.submat(roi);
        Mat out = new Mat();
        try {
            Imgproc.resize(crop, out, new Size(size, size), 0, 0, interpolation);
            if (box.flip()) {
                Core.flip(out, out, 1);
            }
            out.get(0, 0, scratch);
        } finally {
            crop.release();
            out.release();
        }
        int plane = size * size;
        for (int p = 0, in = 0; p < plane; p++, in += 3) {
            dst[offset + p] = table[0][scratch[in + 2] & 0xFF];
            dst[offset + p + plane] = table[1][scratch[in + 1] & 0xFF];
            dst[offset + p + 2 * plane] = table[2][scratch[in] & 0xFF];
        }
    }
}
