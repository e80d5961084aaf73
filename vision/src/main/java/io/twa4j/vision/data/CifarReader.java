package io.twa4j.vision.data;

import io.twa4j.core.io.IoMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100 (3×32×32 images).
 *
 * <p>A CIFAR-10 record is one label byte followed by 3072 pixel bytes: the red plane, then green,
 * then blue, each 32 rows of 32 — already CHW. A CIFAR-100 record has a coarse label byte and a
 * fine label byte before the pixels; the fine label (100 classes) is used.
 */
public final class CifarReader {

    /** Channels, rows and columns of a CIFAR image. */
    public static final int CHANNELS = 3, SIZE = 32;

    /** Pixel bytes per image. */
    public static final int IMAGE_BYTES = CHANNELS * SIZE * SIZE;

    /** Bytes per CIFAR-10 record (label + pixels). */
    public static final int CIFAR10_RECORD = 1 + IMAGE_BYTES;

    /** Bytes per CIFAR-100 record (coarse label + fine label + pixels). */
    public static final int CIFAR100_RECORD = 2 + IMAGE_BYTES;

    /** The largest file read (one Java array). */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private CifarReader() {}

    /**
     * Reads and concatenates CIFAR-10 binary files (e.g. {@code data_batch_1.bin} to {@code
     * data_batch_5.bin}), 10 classes.
     *
     * @throws DatasetException if a file is missing, its size is not a whole number of records,
     *     or a label is out of range
     */
    public static ImageSet readCifar10(String name, List<Path> files) {
        return read(name, files, 1, 10);
    }

    /**
     * Reads and concatenates CIFAR-100 binary files ({@code train.bin} or {@code test.bin}) with
     * their fine labels, 100 classes.
     *
     * @throws DatasetException if a file is missing, its size is not a whole number of records,
     *     or a label is out of range
     */
    public static ImageSet readCifar100(String name, List<Path> files) {
        return read(name, files, 2, 100);
    }

    /**
     * @param labelBytes label bytes before the pixels; the last one is the label used
     */
    private static ImageSet read(String name, List<Path> files, int labelBytes, int numClasses) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException(name + ": no files to read");
        }
        int record = labelBytes + IMAGE_BYTES;
        List<byte[]> contents = new ArrayList<>(files.size());
        long total = 0;
        for (Path file : files) {
            byte[] bytes = readAll(file, record);
            if (bytes.length == 0 || bytes.length % record != 0) {
                throw new DatasetException(file + ": size " + bytes.length + " bytes is not a positive multiple of the "
                        + record + "-byte " + (labelBytes == 1 ? "CIFAR-10" : "CIFAR-100") + " record");
            }
            total += bytes.length / record;
            contents.add(bytes);
        }
        if (total * IMAGE_BYTES > Integer.MAX_VALUE - 64) {
            throw new DatasetException(name + ": " + total + " images are more than one array can hold");
        }
        int n = (int) total;
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] labels = new int[n];
        int i = 0;
        for (int f = 0; f < files.size(); f++) {
            byte[] bytes = contents.get(f);
            for (int off = 0; off < bytes.length; off += record, i++) {
                if (labelBytes == 2 && (bytes[off] & 0xFF) >= 20) {
                    throw new DatasetException(files.get(f) + ": coarse label " + (bytes[off] & 0xFF) + " of record "
                            + off / record + " is not in [0, 20)");
                }
                int label = bytes[off + labelBytes - 1] & 0xFF;
                if (label >= numClasses) {
                    throw new DatasetException(files.get(f) + ": label " + label + " of record " + off / record
                            + " is not in [0, " + numClasses + ")");
                }
                labels[i] = label;
                System.arraycopy(bytes, off + labelBytes, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
            }
            contents.set(f, null);
        }
        return new ImageSet(name, pixels, labels, numClasses, CHANNELS, SIZE, SIZE);
    }

    private static byte[] readAll(Path file, int record) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                // checked before reading: Files.readAllBytes would fail with an OutOfMemoryError
                throw new DatasetException(file + ": size " + size + " bytes is more than one array can hold (at most "
                        + MAX_FILE_BYTES / record + " records of " + record + " bytes)");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file", e);
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read (" + IoMessages.reason(e) + ")", e);
        }
    }
}
