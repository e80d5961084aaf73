package io.twa4j.cli;

import io.twa4j.vision.data.DatasetException;
import io.twa4j.vision.data.folder.FolderImages;
import io.twa4j.vision.data.folder.FolderOptions;
import io.twa4j.vision.data.folder.ImageDecoder;
import io.twa4j.vision.data.folder.ImageFolder;
import io.twa4j.vision.data.folder.LoaderThroughput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code bench --loader DIR}: how fast an image folder's training images are served. */
final class LoaderBenchOptions {

    @Option(names = "--loader", paramLabel = "DIR", required = true,
            description = "Measure the image-folder loader on DIR/train instead (decode only, decode + train transform, the loader"
                    + " with each --data-workers), to see whether it keeps up with training.")
    Path folder;

    @Option(names = "--image-size", paramLabel = "S", defaultValue = "224", description = "Output side (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--data-workers", paramLabel = "N", split = ",", description = "Worker counts to measure (default: 1 and every core).")
    List<Integer> workers;

    @Option(names = "--images", paramLabel = "N", defaultValue = "300", description = "Images measured, the first N (default: ${DEFAULT-VALUE}).")
    int images;

    /** Measures and prints one line per stage. */
    void run(int batchSize) {
        Check.positive("--images", images);
        FolderOptions options = Check.flags(() -> new FolderOptions(imageSize, 1, false));
        FolderImages train = ImageFolder.open(folder).images(true, "train", options).limit(images);
        if (train.size() == 0) {
            throw new DatasetException(folder + ": no training images to measure");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> counts = workers != null ? workers : cores == 1 ? List.of(1) : List.of(1, cores);
        counts.forEach(n -> Check.positive("--data-workers", n));
        System.out.printf(Locale.ROOT, "%d images of %s/train, output %dx%d, %d cores%n", train.size(), folder, imageSize, imageSize,
                cores);
        LoaderThroughput bench = new LoaderThroughput(train, batchSize);
        List<LoaderThroughput.Rate> rates = new ArrayList<>();
        bench.decodeOnly(ImageDecoder.standard()); // each stage runs twice, the first pass warming up the JIT
        rates.add(bench.decodeOnly(ImageDecoder.standard()));
        bench.decodeAndTransform(ImageDecoder.standard());
        rates.add(bench.decodeAndTransform(ImageDecoder.standard()));
        for (int n : counts) {
            bench.loader(n);
            rates.add(bench.loader(n));
        }
        System.out.printf(Locale.ROOT, "%-28s %12s %16s%n", "stage", "images/s", "images/s/core");
        for (LoaderThroughput.Rate rate : rates) {
            System.out.printf(Locale.ROOT, "%-28s %12.1f %16.1f%n", rate.stage(), rate.perSecond(), rate.perSecondPerCore());
        }
        System.out.printf(Locale.ROOT, "the loader with N workers serves about N x the decode + transform rate (reading the files adds a little);"
                + " training waits for it when that is below its steps' images/s (metrics.jsonl: data_wait_seconds)%n");
    }
}
