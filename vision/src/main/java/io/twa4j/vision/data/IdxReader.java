package io.twa4j.vision.data;

import io.twa4j.core.io.IoMessages;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST-style IDX files (MNIST, Fashion-MNIST): unsigned-byte images (magic 2051, three
 * dimensions) and labels (magic 2049, one dimension), gzip-compressed or raw.
 *
 * <p>Compression is detected from the first two bytes ({@code 1f 8b}), not from the file name. The
 * reader is strict: wrong magic, zero or negative dimensions, a short file and bytes left over
 * after the declared data are all reported as a {@link DatasetException} naming the file.
 */
public final class IdxReader {

    /** Magic number of an unsigned-byte, three-dimensional IDX file (images). */
    public static final int IMAGES_MAGIC = 0x0803;

    /** Magic number of an unsigned-byte, one-dimensional IDX file (labels). */
    public static final int LABELS_MAGIC = 0x0801;

    private static final int BUFFER = 1 << 16;
    private static final long MAX_BYTES = Integer.MAX_VALUE - 64;

    private IdxReader() {}

    /**
     * The images of an IDX images file, row-major (count, rows, cols).
     *
     * @param count the number of images
     * @param rows rows per image
     * @param cols columns per image
     * @param pixels {@code count * rows * cols} unsigned bytes
     */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /**
     * Reads a pair of IDX files into a one-channel image set.
     *
     * @param name the name of the set, e.g. {@code fashion-mnist/train}
     * @param images the images file (magic 2051)
     * @param labels the labels file (magic 2049)
     * @param numClasses labels must lie in {@code [0, numClasses)}
     * @throws DatasetException if a file is missing, malformed, or the two disagree
     */
    public static ImageSet read(String name, Path images, Path labels, int numClasses) {
        Images im = readImages(images);
        int[] lab = readLabels(labels);
        if (im.count() != lab.length) {
            throw new DatasetException(images + " holds " + im.count() + " images but " + labels + " holds "
                    + lab.length + " labels");
        }
        for (int i = 0; i < lab.length; i++) {
            if (lab[i] >= numClasses) {
                throw new DatasetException(
                        labels + ": label " + lab[i] + " of item " + i + " is not in [0, " + numClasses + ")");
            }
        }
        return new ImageSet(name, im.pixels(), lab, numClasses, 1, im.rows(), im.cols());
    }

    /**
     * Reads an IDX images file (magic 2051).
     *
     * @throws DatasetException if the file is missing or malformed
     */
    public static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            readMagic(in, file, IMAGES_MAGIC, "images");
            int count = readDimension(in, file, "image count");
            int rows = readDimension(in, file, "row count");
            int cols = readDimension(in, file, "column count");
            long bytes;
            try {
                bytes = Math.multiplyExact((long) count * rows, (long) cols);
            } catch (ArithmeticException overflow) {
                bytes = Long.MAX_VALUE; // three header ints can overflow a long (a corrupt gzip stream decodes to anything)
            }
            byte[] pixels = readBody(in, file, bytes, count + " images of " + rows + "x" + cols);
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw ioProblem(file, e);
        }
    }

    /**
     * Reads an IDX labels file (magic 2049) as values 0..255.
     *
     * @throws DatasetException if the file is missing or malformed
     */
    public static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            readMagic(in, file, LABELS_MAGIC, "labels");
            int count = readDimension(in, file, "label count");
            byte[] raw = readBody(in, file, count, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        } catch (IOException e) {
            throw ioProblem(file, e);
        }
    }

    /** Opens {@code file}, decompressing it if it starts with the gzip magic bytes. */
    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = (b0 == 0x1f && b1 == 0x8b) ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER) : raw;
            return new DataInputStream(in);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static void readMagic(DataInputStream in, Path file, int expected, String kind) throws IOException {
        int magic = readHeaderInt(in, file, "magic number");
        if (magic != expected) {
            throw new DatasetException(file + ": magic number " + magic + " is not " + expected + " (IDX unsigned-byte "
                    + kind + " file)");
        }
    }

    private static int readDimension(DataInputStream in, Path file, String what) throws IOException {
        int value = readHeaderInt(in, file, what);
        if (value <= 0) {
            throw new DatasetException(file + ": " + what + " " + value + " in the header is not positive");
        }
        return value;
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated header (ends before the " + what + ")");
        }
    }

    /** Reads exactly {@code bytes} bytes and checks that nothing follows them. */
    private static byte[] readBody(DataInputStream in, Path file, long bytes, String what) throws IOException {
        if (bytes > MAX_BYTES) {
            throw new DatasetException(file + ": header declares " + what + " (" + bytes
                    + " bytes), more than one array can hold");
        }
        byte[] body = in.readNBytes((int) bytes);
        if (body.length < bytes) {
            throw new DatasetException(
                    file + ": truncated: header declares " + what + " (" + bytes + " bytes) but only " + body.length
                            + " follow");
        }
        if (in.read() != -1) {
            throw new DatasetException(file + ": unexpected data after the " + what + " the header declares");
        }
        return body;
    }

    private static DatasetException ioProblem(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DatasetException(file + ": no such file", e);
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            // only the gzip stream throws these: the header reads catch EOF, the body reads count bytes
            return new DatasetException(file + ": truncated or corrupt gzip data"
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
        return new DatasetException(file + ": cannot read (" + IoMessages.reason(e) + ")", e);
    }
}
