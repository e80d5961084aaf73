package io.twa4j.vision.data.folder;

import io.twa4j.vision.data.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/**
 * OpenCV ({@code org.openpnp:opencv}) against the Java path, printed (not a test), one thread:
 * images per second of decoding only (JDK ImageIO, TwelveMonkeys, OpenCV) and of decoding plus
 * the training transform (Java decoder + {@link Resampler}, OpenCV decoder + {@link Resampler},
 * OpenCV decoder + {@code Imgproc.resize} INTER_AREA / INTER_LINEAR), interleaved, each
 * {@code rounds} times (the first warms up); then the mean
 * absolute difference per sample (0..255) of OpenCV's pixels from the Java path's.
 *
 * <pre>
 * (build: mvn -Popencv-bench -pl vision -am test-compile)
 * OpenCvBench [--dir DIR] [--images 300] [--size 224] [--rounds 3]   (DIR from FolderLoaderBench --generate)
 * </pre>
 */
public final class OpenCvBench {

    private interface Step {
        void run(int i, CropBox box);
    }

    private OpenCvBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = null;
        int images = 300;
        int size = 224;
        int rounds = 3;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--images" -> images = Integer.parseInt(args[i + 1]);
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) {
            dir = Files.createTempDirectory("twa4j-bench-opencv");
            TestFolders.jpegs(dir, 10, images / 10, 500, 375, 11);
        }
        long t0 = System.nanoTime();
        OpenCvImages.load();
        System.out.printf("OpenCV loaded in %.2f s%n", (System.nanoTime() - t0) / 1e9);
        List<byte[]> bytes = read(ImageFolder.open(dir).images(true, "bench/train", new FolderOptions(size, 1, false)));
        System.out.printf("%d JPEGs in %s, one thread, output %dx%d%n", bytes.size(), dir, size, size);
        List<CropBox> boxes = boxes(bytes, size);
        speed(bytes, boxes, size, rounds);
        differences("JPEGs of the folder", bytes, boxes, size);
        List<byte[]> noise = noisePngs(30);
        differences("PNGs of uniform noise, 500x375 (the worst case for a filter)", noise, boxes(noise, size), size);
    }

    /** {@code n} PNGs of 500×375 uniformly random pixels, encoded in memory. */
    private static List<byte[]> noisePngs(int n) throws java.io.IOException {
        java.util.Random random = new java.util.Random(3);
        List<byte[]> pngs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(TestFolders.colour(500, 375, random), "png", out);
            pngs.add(out.toByteArray());
        }
        return pngs;
    }

    private static List<byte[]> read(FolderImages train) throws java.io.IOException {
        List<byte[]> bytes = new ArrayList<>();
        for (Path f : train.files()) {
            bytes.add(Files.readAllBytes(f));
        }
        return bytes;
    }

    /** The same training crops for every path. */
    private static List<CropBox> boxes(List<byte[]> bytes, int size) {
        SplittableRandom rng = new SplittableRandom(1);
        List<CropBox> boxes = new ArrayList<>();
        for (int i = 0; i < bytes.size(); i++) {
            RgbImage image = ImageDecoder.standard().decode(bytes.get(i), "image " + i);
            boxes.add(Transforms.randomResizedCrop(image.width(), image.height(), rng));
        }
        return boxes;
    }

    private static void speed(List<byte[]> bytes, List<CropBox> boxes, int size, int rounds) {
        ImageDecoder jdk = ImageDecoder.using(r -> r.getClass().getName().startsWith("com.sun."));
        ImageDecoder twelve = ImageDecoder.using(r -> r.getClass().getName().startsWith("com.twelvemonkeys."));
        ImageDecoder standard = ImageDecoder.standard();
        Resampler resampler = new Resampler(size);
        float[][] table = Normalization.IMAGENET.table(3);
        float[] out = new float[3 * size * size];
        byte[] scratch = new byte[3 * size * size];
        for (int round = 0; round < rounds; round++) {
            System.out.println("round " + round);
            time("decode only, JDK ImageIO", bytes, boxes, (i, b) -> jdk.decode(bytes.get(i), "image " + i));
            time("decode only, TwelveMonkeys", bytes, boxes, (i, b) -> twelve.decode(bytes.get(i), "image " + i));
            time("decode only, OpenCV imdecode (BGR Mat)", bytes, boxes,
                    (i, b) -> OpenCvImages.decodeBgr(bytes.get(i), "image " + i).release());
            time("decode only, OpenCV imdecode + BGR->RGB copy", bytes, boxes, (i, b) -> OpenCvImages.decode(bytes.get(i), "image " + i));
            time("decode+train, ImageIO + Java resampler", bytes, boxes,
                    (i, b) -> resampler.resample(standard.decode(bytes.get(i), "image " + i), b, table, out, 0));
            time("decode+train, OpenCV decode + Java resampler", bytes, boxes,
                    (i, b) -> resampler.resample(OpenCvImages.decode(bytes.get(i), "image " + i), b, table, out, 0));
            for (int interpolation : new int[] {Imgproc.INTER_AREA, Imgproc.INTER_LINEAR}) {
                time("decode+train, OpenCV decode + resize " + name(interpolation), bytes, boxes, (i, b) -> {
                    Mat bgr = OpenCvImages.decodeBgr(bytes.get(i), "image " + i);
                    OpenCvImages.resample(bgr, b, size, interpolation, table, out, 0, scratch);
                    bgr.release();
                });
            }
        }
    }

    private static void time(String label, List<byte[]> bytes, List<CropBox> boxes, Step step) {
        long start = System.nanoTime();
        for (int i = 0; i < bytes.size(); i++) {
            step.run(i, boxes.get(i));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-56s %7.1f images/s/core%n", label, bytes.size() / seconds);
    }

    /** Mean and largest absolute difference per sample from the Java path (ImageIO standard decoder, Resampler). */
    private static void differences(String label, List<byte[]> bytes, List<CropBox> boxes, int size) {
        float[][] identity = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                identity[c][v] = v;
            }
        }
        Resampler resampler = new Resampler(size);
        float[] java = new float[3 * size * size];
        float[] cv = new float[3 * size * size];
        byte[] scratch = new byte[3 * size * size];
        Difference decoded = new Difference();
        Difference[] resized = {new Difference(), new Difference(), new Difference()};
        int[] interpolations = {-1, Imgproc.INTER_AREA, Imgproc.INTER_LINEAR};
        for (int i = 0; i < bytes.size(); i++) {
            RgbImage reference = ImageDecoder.standard().decode(bytes.get(i), "image " + i);
            RgbImage opencv = OpenCvImages.decode(bytes.get(i), "image " + i);
            decoded.add(reference.pixels(), opencv.pixels());
            resampler.resample(reference, boxes.get(i), identity, java, 0);
            resampler.resample(opencv, boxes.get(i), identity, cv, 0);
            resized[0].add(java, cv);
            for (int k = 1; k < 3; k++) {
                Mat bgr = OpenCvImages.decodeBgr(bytes.get(i), "image " + i);
                OpenCvImages.resample(bgr, boxes.get(i), size, interpolations[k], identity, cv, 0, scratch);
                bgr.release();
                resized[k].add(java, cv);
            }
        }
        System.out.println("mean / max |OpenCV - Java| per sample, 0..255, " + label + ":");
        System.out.println("  decoded RGB (OpenCV vs ImageIO+TwelveMonkeys)          " + decoded);
        System.out.println("  train crop, OpenCV decode + Java resampler              " + resized[0]);
        System.out.println("  train crop, OpenCV decode + resize INTER_AREA           " + resized[1]);
        System.out.println("  train crop, OpenCV decode + resize INTER_LINEAR         " + resized[2]);
    }

    private static String name(int interpolation) {
        return interpolation == Imgproc.INTER_AREA ? "INTER_AREA" : "INTER_LINEAR";
    }

    /** Accumulated absolute differences. */
    private static final class Difference {
        private double sum;
        private long count;
        private double max;

        void add(byte[] a, byte[] b) {
            for (int k = 0; k < a.length; k++) {
                note(Math.abs((a[k] & 0xFF) - (b[k] & 0xFF)));
            }
        }

        void add(float[] a, float[] b) {
            for (int k = 0; k < a.length; k++) {
                note(Math.abs(a[k] - b[k]));
            }
        }

        private void note(double d) {
            sum += d;
            count++;
            max = Math.max(max, d);
        }

        @Override
        public String toString() {
            return String.format("%.3f / %.0f", sum / count, max);
        }
    }
}
