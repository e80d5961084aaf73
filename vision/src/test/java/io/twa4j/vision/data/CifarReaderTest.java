package io.twa4j.vision.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {

    @TempDir
    Path dir;

    /** A CIFAR-10 record: label, then pixel (c, y, x) = (c * 50 + y * 3 + x + seed) mod 256. */
    private static byte[] record(int seed, int... labels) {
        byte[] r = new byte[labels.length + CifarReader.IMAGE_BYTES];
        for (int i = 0; i < labels.length; i++) {
            r[i] = (byte) labels[i];
        }
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    r[labels.length + c * 1024 + y * 32 + x] = (byte) (c * 50 + y * 3 + x + seed);
                }
            }
        }
        return r;
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    private static int expectedPixel(int seed, int c, int y, int x) {
        return (c * 50 + y * 3 + x + seed) & 0xFF;
    }

    @Test
    void cifar10LabelsAndPixelsInChwOrder() {
        Path a = TestData.write(dir.resolve("data_batch_1.bin"), concat(record(0, 3), record(7, 9)));
        Path b = TestData.write(dir.resolve("data_batch_2.bin"), record(11, 0));

        ImageSet set = CifarReader.readCifar10("cifar10/train", List.of(a, b));

        assertThat(set.size()).isEqualTo(3);
        assertThat(set.numClasses()).isEqualTo(10);
        assertThat(set.imageShape().getShape()).containsExactly(3, 32, 32);
        assertThat(set.labels()).containsExactly(3, 9, 0);
        int[] seeds = {0, 7, 11};
        for (int i = 0; i < 3; i++) {
            assertThat(set.pixel(i, 0, 0, 0)).isEqualTo(expectedPixel(seeds[i], 0, 0, 0));
            assertThat(set.pixel(i, 1, 5, 17)).isEqualTo(expectedPixel(seeds[i], 1, 5, 17));
            assertThat(set.pixel(i, 2, 31, 31)).isEqualTo(expectedPixel(seeds[i], 2, 31, 31));
        }
        // the green plane starts 1024 bytes into the image
        assertThat(set.image(1)[1024 + 2 * 32 + 4]).isEqualTo((byte) expectedPixel(7, 1, 2, 4));
    }

    @Test
    void cifar100UsesFineLabels() {
        Path f = TestData.write(dir.resolve("train.bin"), concat(record(1, 19, 87), record(2, 4, 3)));

        ImageSet set = CifarReader.readCifar100("cifar100/train", List.of(f));

        assertThat(set.numClasses()).isEqualTo(100);
        assertThat(set.labels()).containsExactly(87, 3);
        assertThat(set.pixel(0, 2, 10, 20)).isEqualTo(expectedPixel(1, 2, 10, 20));
        assertThat(set.pixel(1, 0, 31, 0)).isEqualTo(expectedPixel(2, 0, 31, 0));
    }

    @Test
    void sizeNotAMultipleOfTheRecordNamesTheFile() {
        Path good = TestData.write(dir.resolve("data_batch_1.bin"), record(0, 1));
        Path bad = TestData.write(dir.resolve("data_batch_2.bin"), Arrays.copyOf(record(0, 1), 3000));
        assertThatThrownBy(() -> CifarReader.readCifar10("cifar10/train", List.of(good, bad)))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(bad.toString())
                .hasMessageContaining("3000 bytes")
                .hasMessageContaining("3073-byte");
        // a CIFAR-10 file read as CIFAR-100 has the wrong record size too
        Path ten = TestData.write(dir.resolve("test_batch.bin"), concat(record(0, 1), record(0, 2)));
        assertThatThrownBy(() -> CifarReader.readCifar100("cifar100/test", List.of(ten)))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("3074-byte");
    }

    @Test
    void emptyFileIsReported() {
        Path empty = TestData.write(dir.resolve("test.bin"), new byte[0]);
        assertThatThrownBy(() -> CifarReader.readCifar100("cifar100/test", List.of(empty)))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("size 0 bytes");
    }

    @Test
    void labelOutOfRange() {
        Path f = TestData.write(dir.resolve("data_batch_1.bin"), concat(record(0, 1), record(0, 10)));
        assertThatThrownBy(() -> CifarReader.readCifar10("cifar10/train", List.of(f)))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("label 10 of record 1");
    }

    @Test
    void aFileTooLargeForOneArrayIsRefusedBeforeReading() throws IOException {
        Path huge = dir.resolve("data_batch_1.bin");
        try (RandomAccessFile sparse = new RandomAccessFile(huge.toFile(), "rw")) {
            sparse.setLength(3L << 30); // sparse: no disk space, no reading
        }
        assertThatThrownBy(() -> CifarReader.readCifar10("cifar10/train", List.of(huge)))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(huge + ": size " + (3L << 30) + " bytes is more than one array can hold");
    }

    @Test
    void missingFile() {
        Path absent = dir.resolve("data_batch_9.bin");
        assertThatThrownBy(() -> CifarReader.readCifar10("cifar10/train", List.of(absent)))
                .isInstanceOf(DatasetException.class)
                .hasMessage(absent + ": no such file");
    }
}
