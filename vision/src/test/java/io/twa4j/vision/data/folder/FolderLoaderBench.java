package io.twa4j.vision.data.folder;

import io.twa4j.core.data.BatchSource;
import io.twa4j.vision.data.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Loader throughput, printed (not a test): images per second per core of decoding only (the
 * JDK's JPEG reader and TwelveMonkeys'), decoding plus the training transform, and the whole
 * loader with N workers, on a folder of generated JPEGs (ImageNet's average 500×375 by default).
 * {@code OpenCvBench} (in {@code src/bench-opencv}, built with {@code -Popencv-bench}) measures OpenCV's decoder and resize on the same folder.
 *
 * <pre>
 * FolderLoaderBench [--dir DIR] [--images 300] [--size 224] [--workers 1,2] [--batch 64]
 * FolderLoaderBench --generate DIR CLASSES PER_CLASS WIDTH HEIGHT   (writes a folder and exits)
 * </pre>
 */
public final class FolderLoaderBench {

    private FolderLoaderBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 6 && args[0].equals("--generate")) {
            TestFolders.jpegs(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), 11);
            System.out.println("wrote " + args[1]);
            return;
        }
        Path dir = null;
        int images = 300;
        int size = 224;
        int batch = 64;
        int[] workers = {1, 2};
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--images" -> images = Integer.parseInt(args[i + 1]);
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--workers" -> workers = java.util.Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) {
            dir = Files.createTempDirectory("twa4j-bench-folder");
            TestFolders.jpegs(dir, 10, images / 10, 500, 375, 11);
        }
        FolderImages train = ImageFolder.open(dir).images(true, "bench/train", new FolderOptions(size, 1, false));
        System.out.printf("%d JPEGs in %s, %d cores, output %dx%d%n", train.size(), dir, Runtime.getRuntime().availableProcessors(),
                size, size);
        List<byte[]> bytes = new java.util.ArrayList<>();
        for (Path f : train.files()) {
            bytes.add(Files.readAllBytes(f));
        }
        ImageDecoder jdk = ImageDecoder.using(r -> r.getClass().getName().startsWith("com.sun."));
        ImageDecoder twelve = ImageDecoder.using(r -> r.getClass().getName().startsWith("com.twelvemonkeys."));
        decodeOnly("decode only, JDK ImageIO", jdk, bytes);
        decodeOnly("decode only, TwelveMonkeys", twelve, bytes);
        decodeOnly("decode only, JDK ImageIO", jdk, bytes);
        decodeOnly("decode only, TwelveMonkeys", twelve, bytes);
        decodeAndTransform(ImageDecoder.standard(), bytes, size);
        for (int n : workers) {
            loader(train.withOptions(new FolderOptions(size, n, false)), batch, n);
        }
    }

    private static void decodeOnly(String label, ImageDecoder decoder, List<byte[]> bytes) {
        long start = System.nanoTime();
        long pixels = 0;
        for (int i = 0; i < bytes.size(); i++) {
            pixels += decoder.decode(bytes.get(i), "image " + i).width();
        }
        report(label + " (in memory)", bytes.size(), start, 1, pixels);
    }

    private static void decodeAndTransform(ImageDecoder decoder, List<byte[]> bytes, int size) {
        Resampler resampler = new Resampler(size);
        float[] out = new float[3 * size * size];
        float[][] table = Normalization.IMAGENET.table(3);
        SplittableRandom rng = new SplittableRandom(1);
        for (int round = 0; round < 2; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < bytes.size(); i++) {
                RgbImage image = decoder.decode(bytes.get(i), "image " + i);
                resampler.resample(image, Transforms.randomResizedCrop(image.width(), image.height(), rng), table, out, 0);
            }
            report("decode + RandomResizedCrop + flip + normalise", bytes.size(), start, 1, 0);
        }
    }

    private static void loader(FolderImages images, int batch, int workers) {
        FolderBatchSource source = FolderBatchSource.builder(images).setBatchSize(batch).optAugment(true).build();
        for (int epoch = 0; epoch < 2; epoch++) {
            long start = System.nanoTime();
            int n = 0;
            try (BatchSource.BatchIterator it = source.epoch(epoch)) {
                while (it.hasNext()) {
                    n += it.next().size();
                }
            }
            report("loader (files, train transform), " + workers + " workers, epoch " + epoch, n, start, workers, 0);
        }
    }

    private static void report(String label, int n, long start, int cores, long unused) {
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-62s %7.1f images/s  %7.1f images/s/core%n", label, n / seconds, n / seconds / cores);
    }
}
