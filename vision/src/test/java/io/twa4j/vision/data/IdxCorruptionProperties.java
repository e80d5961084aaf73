package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.Assertions;

/**
 * Corrupted IDX files (cut short, or one byte flipped) either parse to what the bytes say or fail
 * with a one-line {@link DatasetException} that starts with the file's path: never another
 * exception, never a hang.
 *
 * <p>IDX has a header (magic, dimensions) but no checksum: every cut is refused (the header
 * declares the size), a flip in the header is refused, and a flip in the data of a raw file reads
 * as the flipped byte. For a pair of files, a flipped label byte is refused naming the labels file
 * and the item when the label leaves [0, 10), and otherwise changes that one label. A gzip file
 * has a CRC-32 over the data, so a flip in a compressed file is refused, except in gzip metadata
 * that the format does not check (then the data read are the original).
 */
class IdxCorruptionProperties {

    private static final int N = 6, ROWS = 4, COLS = 3;
    private static final byte[] PIXELS = TestData.randomBytes(17, N * ROWS * COLS);
    private static final int[] LABELS = TestData.randomLabels(18, N, 10);
    private static final int HEADER_IMAGES = 16, HEADER_LABELS = 8;

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("twa4j-idx-props");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private static byte[] original(boolean images) {
        return images ? TestData.idxImages(N, ROWS, COLS, PIXELS) : TestData.idxLabels(LABELS);
    }

    /**
     * Parses {@code bytes} as images or labels, flattened to int[] (pixels) for comparison; a
     * {@link DatasetException} must be one line starting with the file's path.
     */
    private static int[] parse(byte[] bytes, boolean images) throws IOException {
        Path file = Files.write(dir.resolve("corrupt"), bytes);
        try {
            return parse(file, images);
        } catch (DatasetException e) {
            assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n");
            throw e;
        }
    }

    private static int[] parse(Path file, boolean images) {
        return Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            if (!images) {
                return IdxReader.readLabels(file);
            }
            IdxReader.Images im = IdxReader.readImages(file);
            assertThat(im.pixels()).hasSize(im.count() * im.rows() * im.cols());
            int[] out = new int[im.pixels().length];
            for (int i = 0; i < out.length; i++) {
                out[i] = im.pixels()[i] & 0xFF;
            }
            return out;
        });
    }

    private static int[] unsigned(byte[] body) {
        int[] out = new int[body.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = body[i] & 0xFF;
        }
        return out;
    }

    @Property(tries = 300)
    void truncationAlwaysFailsCleanly(
            @ForAll boolean images,
            @ForAll boolean gzip,
            @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double cut) throws IOException {
        byte[] raw = original(images);
        byte[] file = gzip ? TestData.gzip(raw) : raw;
        byte[] truncated = Arrays.copyOf(file, (int) (cut * file.length));
        try {
            parse(truncated, images);
            fail("a file cut to " + truncated.length + " of " + file.length + " bytes parsed");
        } catch (DatasetException expected) {
            assertThat(expected.getMessage()).contains("truncated");
        }
    }

    @Property(tries = 500)
    void byteFlipParsesToTheFlippedBytesOrFailsCleanly(
            @ForAll boolean images,
            @ForAll boolean gzip,
            @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double where,
            @ForAll @IntRange(min = 1, max = 255) int mask) throws IOException {
        byte[] raw = original(images);
        byte[] file = gzip ? TestData.gzip(raw) : raw.clone();
        int pos = (int) (where * file.length);
        file[pos] ^= (byte) mask;
        int header = images ? HEADER_IMAGES : HEADER_LABELS;
        int[] result;
        try {
            result = parse(file, images);
        } catch (DatasetException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return;
        }
        byte[] body = Arrays.copyOfRange(raw, header, raw.length);
        if (gzip) {
            // only a flip in gzip metadata (e.g. the modification time) can go unnoticed
            assertThat(result).containsExactly(unsigned(body));
        } else {
            // any header flip changes the declared size or magic, so only body flips can parse
            assertThat(pos).isGreaterThanOrEqualTo(header);
            body[pos - header] ^= (byte) mask;
            assertThat(result).containsExactly(unsigned(body));
        }
    }

    @Property(tries = 100)
    void aFlippedLabelOfAPairIsRefusedNamingFileAndItemOrChangesOnlyThatLabel(
            @ForAll @IntRange(min = 0, max = N - 1) int item, @ForAll @IntRange(min = 1, max = 255) int mask)
            throws IOException {
        Path images = Files.write(dir.resolve("pair-images"), original(true));
        byte[] labels = original(false);
        labels[HEADER_LABELS + item] ^= (byte) mask;
        Path labelFile = Files.write(dir.resolve("pair-labels"), labels);
        int now = labels[HEADER_LABELS + item] & 0xFF;
        ImageSet set;
        try {
            set = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> IdxReader.read("pair", images, labelFile, 10));
        } catch (DatasetException e) {
            assertThat(now).as("label %d refused", now).isGreaterThanOrEqualTo(10);
            assertThat(e.getMessage()).isEqualTo(labelFile + ": label " + now + " of item " + item + " is not in [0, 10)");
            return;
        }
        assertThat(now).isLessThan(10);
        int[] expected = LABELS.clone();
        expected[item] = now;
        assertThat(set.labels()).containsExactly(expected);
        for (int i = 0; i < N; i++) {
            assertThat(set.image(i)).isEqualTo(Arrays.copyOfRange(PIXELS, i * ROWS * COLS, (i + 1) * ROWS * COLS));
        }
    }
}
