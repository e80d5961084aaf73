package io.twa4j.vision.data.folder;

import java.nio.file.Files;
import java.nio.file.Path;

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
        LoaderThroughput bench = new LoaderThroughput(train, batch);
        ImageDecoder jdk = ImageDecoder.using(r -> r.getClass().getName().startsWith("com.sun."));
        ImageDecoder twelve = ImageDecoder.using(r -> r.getClass().getName().startsWith("com.twelvemonkeys."));
        for (int round = 0; round < 2; round++) {
            report("JDK ImageIO", bench.decodeOnly(jdk));
            report("TwelveMonkeys", bench.decodeOnly(twelve));
            report("standard decoder", bench.decodeAndTransform(ImageDecoder.standard()));
        }
        for (int n : workers) {
            for (int epoch = 0; epoch < 2; epoch++) {
                report("epoch " + epoch, bench.loader(n));
            }
        }
    }

    private static void report(String label, LoaderThroughput.Rate rate) {
        System.out.printf("%-62s %7.1f images/s  %7.1f images/s/core%n", rate.stage() + ", " + label, rate.perSecond(),
                rate.perSecondPerCore());
    }
}
