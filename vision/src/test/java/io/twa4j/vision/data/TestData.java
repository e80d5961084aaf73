package io.twa4j.vision.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Small files and image sets made by the tests. */
final class TestData {

    private TestData() {}

    /** The bytes of an IDX images file. */
    static byte[] idxImages(int count, int rows, int cols, byte[] pixels) {
        return idx(IdxReader.IMAGES_MAGIC, new int[] {count, rows, cols}, pixels);
    }

    /** The bytes of an IDX labels file. */
    static byte[] idxLabels(int[] labels) {
        byte[] body = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            body[i] = (byte) labels[i];
        }
        return idx(IdxReader.LABELS_MAGIC, new int[] {labels.length}, body);
    }

    static byte[] idx(int magic, int[] dims, byte[] body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(body);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] data) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] randomBytes(long seed, int n) {
        byte[] out = new byte[n];
        new Random(seed).nextBytes(out);
        return out;
    }

    static int[] randomLabels(long seed, int n, int numClasses) {
        Random rng = new Random(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = rng.nextInt(numClasses);
        }
        return out;
    }

    /** A random image set: image i's bytes are random, labels uniform. */
    static ImageSet randomSet(long seed, int n, int numClasses, int c, int h, int w) {
        return new ImageSet("random", randomBytes(seed, n * c * h * w), randomLabels(seed + 1, n, numClasses),
                numClasses, c, h, w);
    }

    /**
     * A set whose image i has every pixel equal to i (mod 256) and label i % numClasses, so a
     * batch tells which images it holds.
     */
    static ImageSet indexedSet(int n, int numClasses, int c, int h, int w) {
        int per = c * h * w;
        byte[] px = new byte[n * per];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(px, i * per, (i + 1) * per, (byte) i);
            labels[i] = i % numClasses;
        }
        return new ImageSet("indexed", px, labels, numClasses, c, h, w);
    }
}
