package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static final int N = 7, ROWS = 3, COLS = 5;
    private final byte[] pixels = TestData.randomBytes(1, N * ROWS * COLS);
    private final int[] labels = TestData.randomLabels(2, N, 10);

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsImagesAndLabels(boolean gzip) {
        byte[] images = TestData.idxImages(N, ROWS, COLS, pixels);
        byte[] labs = TestData.idxLabels(labels);
        // names without .gz even when compressed: detection is by content
        Path im = TestData.write(dir.resolve("images"), gzip ? TestData.gzip(images) : images);
        Path lb = TestData.write(dir.resolve("labels"), gzip ? TestData.gzip(labs) : labs);

        ImageSet set = IdxReader.read("tiny/train", im, lb, 10);

        assertThat(set.name()).isEqualTo("tiny/train");
        assertThat(set.size()).isEqualTo(N);
        assertThat(set.channels()).isEqualTo(1);
        assertThat(set.height()).isEqualTo(ROWS);
        assertThat(set.width()).isEqualTo(COLS);
        assertThat(set.numClasses()).isEqualTo(10);
        assertThat(set.labels()).containsExactly(labels);
        // image 4, row 2, column 3 is byte 4*15 + 2*5 + 3 of the body
        assertThat(set.pixel(4, 0, 2, 3)).isEqualTo(pixels[4 * 15 + 2 * 5 + 3] & 0xFF);
        byte[] all = new byte[N * ROWS * COLS];
        for (int i = 0; i < N; i++) {
            set.copyImage(i, all, i * ROWS * COLS);
        }
        assertThat(all).containsExactly(pixels);
    }

    @Test
    void labelsAreUnsigned() {
        Path lb = TestData.write(dir.resolve("labels"), TestData.idxLabels(new int[] {0, 200, 255}));
        assertThat(IdxReader.readLabels(lb)).containsExactly(0, 200, 255);
    }

    @Test
    void wrongMagicNamesTheFile() {
        Path file = TestData.write(dir.resolve("images"), TestData.idxImages(N, ROWS, COLS, pixels));
        // a labels file given where images are expected
        assertThatThrownBy(() -> IdxReader.readLabels(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("magic number 2051 is not 2049");
        Path garbage = TestData.write(dir.resolve("garbage"), "hello world, not idx".getBytes());
        assertThatThrownBy(() -> IdxReader.readImages(garbage))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("magic number");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedBodyIsReported(boolean gzip) {
        byte[] full = TestData.idxImages(N, ROWS, COLS, pixels);
        byte[] cut = Arrays.copyOf(full, full.length - 4);
        Path file = TestData.write(dir.resolve("cut"), gzip ? TestData.gzip(cut) : cut);
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining((N * ROWS * COLS - 4) + " follow");
    }

    @Test
    void truncatedGzipStreamIsReported() {
        byte[] gz = TestData.gzip(TestData.idxImages(N, ROWS, COLS, pixels));
        Path file = TestData.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length - 10));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(file.toString());
    }

    @Test
    void truncatedHeaderIsReported() {
        byte[] full = TestData.idxImages(N, ROWS, COLS, pixels);
        Path file = TestData.write(dir.resolve("head"), Arrays.copyOf(full, 10));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("truncated header");
    }

    @Test
    void trailingBytesAreReported() {
        byte[] full = TestData.idxImages(N, ROWS, COLS, pixels);
        Path file = TestData.write(dir.resolve("long"), Arrays.copyOf(full, full.length + 3));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("unexpected data after");
    }

    @Test
    void nonPositiveDimensionIsReported() {
        Path file = TestData.write(dir.resolve("zero"), TestData.idx(IdxReader.IMAGES_MAGIC, new int[] {N, 0, COLS}, new byte[0]));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("row count 0");
    }

    @Test
    void hugeDeclaredSizeFailsWithoutAllocating() {
        Path file = TestData.write(dir.resolve("huge"),
                TestData.gzip(TestData.idx(IdxReader.IMAGES_MAGIC, new int[] {1 << 30, 28, 28}, new byte[100])));
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("more than one array can hold");
    }

    @Test
    void countMismatchBetweenImagesAndLabels() {
        Path im = TestData.write(dir.resolve("images"), TestData.idxImages(N, ROWS, COLS, pixels));
        Path lb = TestData.write(dir.resolve("labels"), TestData.idxLabels(Arrays.copyOf(labels, N - 1)));
        assertThatThrownBy(() -> IdxReader.read("tiny", im, lb, 10))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("holds " + N + " images")
                .hasMessageContaining("holds " + (N - 1) + " labels");
    }

    @Test
    void labelOutOfRange() {
        Path im = TestData.write(dir.resolve("images"), TestData.idxImages(N, ROWS, COLS, pixels));
        int[] bad = labels.clone();
        bad[3] = 10;
        Path lb = TestData.write(dir.resolve("labels"), TestData.idxLabels(bad));
        assertThatThrownBy(() -> IdxReader.read("tiny", im, lb, 10))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("label 10 of item 3");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("absent.gz");
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessage(file + ": no such file");
    }

    @Test
    void messagesAreOneLine() {
        byte[] gz = TestData.gzip(TestData.idxImages(N, ROWS, COLS, pixels));
        gz[gz.length / 2] ^= 0x55;
        Path file = TestData.write(dir.resolve("corrupt.gz"), gz);
        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").startsWith(file.toString()));
    }

    @Test
    void dimensionsWhoseProductOverflowsALongAreRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        // 2^23 images of 2^20 x 2^20: the product is 2^63, which a long wraps to a negative number
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(16).putInt(2051).putInt(1 << 23)
                .putInt(1 << 20).putInt(1 << 20);
        java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("huge-idx3-ubyte"), header.array());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("more than one array can hold");
    }
}
