package io.twa4j.vision.data.folder;

import io.twa4j.core.data.BatchSource;
import io.twa4j.vision.data.DatasetException;
import io.twa4j.vision.data.Normalization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How fast images of a folder are served, in three stages measured one after the other: decoding
 * alone (files already in memory, one thread), decoding plus the training transform
 * (RandomResizedCrop, flip, normalisation; one thread), and the whole loader ({@link
 * FolderBatchSource}: reading, decoding, transforming and batching on N worker threads).
 *
 * <p>Rates are images per second; per core is the rate over the threads used. The first two stages
 * bound the loader: with N workers it can at best serve N times the second stage's rate.
 *
 * <pre>{@code
 * LoaderThroughput bench = new LoaderThroughput(images, 64);
 * double decodeOnly = bench.decodeOnly(ImageDecoder.standard()).perSecond();
 * double loader = bench.loader(2).perSecond();
 * }</pre>
 */
public final class LoaderThroughput {

    /**
     * One measurement.
     *
     * @param stage what was measured
     * @param images images served
     * @param seconds wall time
     * @param threads threads that did the work
     */
    public record Rate(String stage, int images, double seconds, int threads) {
        /** Images per second. */
        public double perSecond() {
            return images / seconds;
        }

        /** Images per second per thread (per core when each thread has one). */
        public double perSecondPerCore() {
            return perSecond() / threads;
        }
    }

    private final FolderImages images;
    private final int batchSize;
    private List<byte[]> bytes;

    /**
     * A benchmark over {@code images} (their {@link FolderOptions#imageSize()} is the output side)
     * with the loader at batches of {@code batchSize}.
     */
    public LoaderThroughput(FolderImages images, int batchSize) {
        if (images.size() == 0) {
            throw new DatasetException(images.name() + " has no images to measure");
        }
        this.images = images;
        this.batchSize = batchSize;
    }

    /** Decoding alone, with {@code decoder}, of every image (read into memory first, not timed). */
    public Rate decodeOnly(ImageDecoder decoder) {
        List<byte[]> files = files();
        long start = System.nanoTime();
        for (int i = 0; i < files.size(); i++) {
            decoder.decode(files.get(i), images.file(i).toString());
        }
        return rate("decode only", files.size(), start, 1);
    }

    /** Decoding with {@code decoder} plus the training transform, every image on one thread. */
    public Rate decodeAndTransform(ImageDecoder decoder) {
        List<byte[]> files = files();
        int size = images.options().imageSize();
        Resampler resampler = new Resampler(size);
        float[] out = new float[3 * size * size];
        float[][] table = Normalization.IMAGENET.table(3);
        SplittableRandom rng = new SplittableRandom(1);
        long start = System.nanoTime();
        for (int i = 0; i < files.size(); i++) {
            RgbImage image = decoder.decode(files.get(i), images.file(i).toString());
            resampler.resample(image, Transforms.randomResizedCrop(image.width(), image.height(), rng), table, out, 0);
        }
        return rate("decode + train transform", files.size(), start, 1);
    }

    /** One epoch of the whole loader (files read from disk, training transform) on {@code workers} threads. */
    public Rate loader(int workers) {
        FolderImages withWorkers = images.withOptions(new FolderOptions(images.options().imageSize(), workers, false));
        FolderBatchSource source = FolderBatchSource.builder(withWorkers).setBatchSize(batchSize).optAugment(true).build();
        long start = System.nanoTime();
        int served = 0;
        try (BatchSource.BatchIterator it = source.epoch(0)) {
            while (it.hasNext()) {
                served += it.next().size();
            }
        }
        return rate("loader, " + workers + (workers == 1 ? " worker" : " workers"), served, start, workers);
    }

    private List<byte[]> files() {
        if (bytes == null) {
            bytes = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                try {
                    bytes.add(Files.readAllBytes(images.file(i)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + images.file(i), e);
                }
            }
        }
        return bytes;
    }

    private static Rate rate(String stage, int served, long start, int threads) {
        return new Rate(stage, served, (System.nanoTime() - start) / 1e9, threads);
    }
}
