package io.twa4j.vision.data;

import net.jqwik.api.statistics.StatisticsReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Assertions;

/**
 * Damaged CIFAR files (cut short, or one byte flipped) give exactly what the bytes say or a
 * one-line {@link DatasetException} naming the damaged file: never another exception, never a
 * hang, never a wrong result beyond what the bytes themselves say.
 *
 * <p>A CIFAR file is a bare sequence of fixed-size records (label byte(s), then 3072 pixel bytes)
 * with no header, no record count and no checksum. So, precisely:
 *
 * <ul>
 *   <li>a file cut to a length that is not a positive multiple of the record size is refused, and
 *       the message names the file and its size;
 *   <li>a file cut at a record boundary (after k ≥ 1 whole records) is indistinguishable from a
 *       valid file of k records: it reads as exactly the records before the cut (this limit is
 *       asserted, not hidden);
 *   <li>a flipped label byte is refused, naming the file and the record, when the new label is
 *       out of range (≥ 10 for CIFAR-10, fine label ≥ 100 or coarse label ≥ 20 for CIFAR-100);
 *       otherwise the set differs from the original in that record's label only (a coarse label
 *       is not used, so a coarse label still in range changes nothing);
 *   <li>a flipped pixel byte cannot be detected at all: the set differs from the original in
 *       exactly that pixel of that record.
 * </ul>
 *
 * <p>When several files are read together, only the damaged one is named, and record numbers
 * count from the start of that file.
 */
// off, so that the build log shows only failures; STANDARD prints the distribution of the outcomes
@StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
class CifarCorruptionProperties {

    /** Records per file: CIFAR-10 files 0 and 1, then the CIFAR-100 file. */
    private static final int[] RECORDS = {3, 2, 3};

    private static Path dir;
    private static byte[][] files;
    private static ImageSet cifar10;
    private static ImageSet cifar100;

    @BeforeContainer
    static void writeValidFiles() throws IOException {
        dir = Files.createTempDirectory("twa4j-cifar-props");
        files = new byte[3][];
        for (int f = 0; f < 3; f++) {
            boolean hundred = f == 2;
            int record = hundred ? CifarReader.CIFAR100_RECORD : CifarReader.CIFAR10_RECORD;
            byte[] bytes = TestData.randomBytes(40 + f, RECORDS[f] * record);
            int[] fine = TestData.randomLabels(50 + f, RECORDS[f], hundred ? 100 : 10);
            int[] coarse = TestData.randomLabels(60 + f, RECORDS[f], 20);
            for (int r = 0; r < RECORDS[f]; r++) {
                if (hundred) {
                    bytes[r * record] = (byte) coarse[r];
                    bytes[r * record + 1] = (byte) fine[r];
                } else {
                    bytes[r * record] = (byte) fine[r];
                }
            }
            files[f] = bytes;
        }
        cifar10 = read(false, List.of(files[0], files[1]));
        cifar100 = read(true, List.of(files[2]));
        assertThat(cifar10.size()).isEqualTo(5);
        assertThat(cifar100.size()).isEqualTo(3);
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A damage: which file (0, 1: CIFAR-10 pair; 2: CIFAR-100), and a position or length in it. */
    record Damage(int file, int at) {
        boolean hundred() {
            return file == 2;
        }

        int record() {
            return hundred() ? CifarReader.CIFAR100_RECORD : CifarReader.CIFAR10_RECORD;
        }
    }

    /** Cuts: anywhere in a file, with every record boundary (and 0) as an edge case. */
    @Provide
    Arbitrary<Damage> cuts() {
        return Arbitraries.integers().between(0, 2).flatMap(f -> {
            Arbitrary<Integer> anywhere = Arbitraries.integers().between(0, files[f].length - 1);
            int record = f == 2 ? CifarReader.CIFAR100_RECORD : CifarReader.CIFAR10_RECORD;
            Arbitrary<Integer> boundary = Arbitraries.integers().between(0, RECORDS[f] - 1).map(k -> k * record);
            return Arbitraries.frequencyOf(
                            Tuple.of(3, anywhere), Tuple.of(1, boundary))
                    .map(length -> new Damage(f, length));
        });
    }

    /** Flips: label bytes are rare among 3073, so a quarter of the positions are label bytes. */
    @Provide
    Arbitrary<Damage> flips() {
        return Arbitraries.integers().between(0, 2).flatMap(f -> {
            int record = f == 2 ? CifarReader.CIFAR100_RECORD : CifarReader.CIFAR10_RECORD;
            int labelBytes = f == 2 ? 2 : 1;
            Arbitrary<Integer> anywhere = Arbitraries.integers().between(0, files[f].length - 1);
            Arbitrary<Integer> label = Combinators.combine(
                            Arbitraries.integers().between(0, RECORDS[f] - 1),
                            Arbitraries.integers().between(0, labelBytes - 1))
                    .as((r, b) -> r * record + b);
            return Arbitraries.frequencyOf(Tuple.of(3, anywhere), Tuple.of(1, label))
                    .map(position -> new Damage(f, position));
        });
    }

    @Property(tries = 200)
    void aCutFileIsRefusedNamingItUnlessCutAtARecordBoundary(@ForAll("cuts") Damage cut) {
        byte[] damaged = Arrays.copyOf(files[cut.file()], cut.at());
        Path file = fileName(cut.file());
        Outcome outcome = readDamaged(cut.file(), damaged);
        boolean boundary = cut.at() > 0 && cut.at() % cut.record() == 0;
        Statistics.collect(boundary ? "at a record boundary" : "inside a record or empty");
        if (!boundary) {
            assertThat(outcome.error()).as("a file cut to %d bytes must be refused", cut.at()).isNotNull();
            assertThat(outcome.error().getMessage())
                    .startsWith(file + ": ")
                    .contains("size " + cut.at() + " bytes")
                    .contains(cut.record() + "-byte");
            return;
        }
        // the limit of a header-less format: k whole records read as a valid file of k records
        assertThat(outcome.error()).isNull();
        ImageSet original = cut.hundred() ? cifar100 : cifar10;
        int first = firstRecord(cut.file());
        int kept = cut.at() / cut.record();
        int dropped = RECORDS[cut.file()] - kept;
        ImageSet set = outcome.set();
        assertThat(set.size()).isEqualTo(original.size() - dropped);
        for (int i = 0; i < set.size(); i++) {
            int source = i < first + kept ? i : i + dropped;
            assertThat(set.label(i)).isEqualTo(original.label(source));
            assertThat(set.image(i)).isEqualTo(original.image(source));
        }
    }

    @Property(tries = 300)
    void aFlippedByteIsRefusedNamingFileAndRecordOrChangesOnlyWhatItHits(
            @ForAll("flips") Damage flip, @ForAll @IntRange(min = 1, max = 255) int mask) {
        byte[] damaged = files[flip.file()].clone();
        damaged[flip.at()] ^= (byte) mask;
        int now = damaged[flip.at()] & 0xFF;
        Path file = fileName(flip.file());
        Outcome outcome = readDamaged(flip.file(), damaged);

        int record = flip.at() / flip.record();
        int offset = flip.at() % flip.record();
        int labelBytes = flip.hundred() ? 2 : 1;
        boolean coarse = flip.hundred() && offset == 0;
        boolean label = offset == labelBytes - 1;
        int limit = coarse ? 20 : flip.hundred() ? 100 : 10;
        Statistics.collect(offset >= labelBytes ? "pixel" : (coarse ? "coarse label " : "label ")
                + (now >= limit ? "out of range" : "in range"));

        if (offset < labelBytes && now >= limit) {
            assertThat(outcome.error()).as("label byte flipped to %d", now).isNotNull();
            assertThat(outcome.error().getMessage())
                    .startsWith(file + ": ")
                    .contains((coarse ? "coarse label " : "label ") + now + " of record " + record + " ")
                    .contains("[0, " + limit + ")");
            return;
        }
        assertThat(outcome.error()).as("flip at %d to %d", flip.at(), now).isNull();
        ImageSet original = flip.hundred() ? cifar100 : cifar10;
        ImageSet set = outcome.set();
        int changed = firstRecord(flip.file()) + record;
        assertThat(set.size()).isEqualTo(original.size());
        for (int i = 0; i < set.size(); i++) {
            int expectedLabel = label && i == changed ? now : original.label(i);
            assertThat(set.label(i)).as("label of image %d", i).isEqualTo(expectedLabel);
            byte[] expectedImage = original.image(i);
            if (offset >= labelBytes && i == changed) {
                expectedImage[offset - labelBytes] = (byte) now;
            }
            assertThat(set.image(i)).as("pixels of image %d", i).isEqualTo(expectedImage);
        }
    }

    @Property(tries = 100)
    void arbitraryBytesAreReadAsRecordsOrRefusedNamingTheFile(
            @ForAll boolean hundred, @ForAll("lengths") int length, @ForAll long seed) {
        byte[] bytes = TestData.randomBytes(seed, length);
        Path file = dir.resolve("arbitrary.bin");
        write(file, bytes);
        Outcome outcome = attempt(hundred, List.of(file));
        int record = hundred ? CifarReader.CIFAR100_RECORD : CifarReader.CIFAR10_RECORD;
        if (outcome.error() != null) {
            assertThat(outcome.error().getMessage()).startsWith(file + ": ");
            return;
        }
        // accepted only when whole records with labels in range: then every record reads as it is
        ImageSet set = outcome.set();
        assertThat(length % record).isZero();
        assertThat(set.size()).isEqualTo(length / record);
        for (int i = 0; i < set.size(); i++) {
            assertThat(set.label(i)).isEqualTo(bytes[i * record + record - CifarReader.IMAGE_BYTES - 1] & 0xFF);
            assertThat(set.image(i)).isEqualTo(Arrays.copyOfRange(bytes, (i + 1) * record - CifarReader.IMAGE_BYTES,
                    (i + 1) * record));
        }
    }

    /** Mostly short files, some of exactly one or two records (random labels are then often in range). */
    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 2 * CifarReader.CIFAR100_RECORD),
                Arbitraries.of(CifarReader.CIFAR10_RECORD, CifarReader.CIFAR100_RECORD,
                        2 * CifarReader.CIFAR10_RECORD, 2 * CifarReader.CIFAR100_RECORD));
    }

    /** What reading gave: the set, or the (one-line) exception. */
    record Outcome(ImageSet set, DatasetException error) {}

    /** Reads the set with file {@code damagedFile} replaced by {@code bytes}. */
    private static Outcome readDamaged(int damagedFile, byte[] bytes) {
        List<Path> paths = new ArrayList<>();
        boolean hundred = damagedFile == 2;
        for (int f = hundred ? 2 : 0; f < (hundred ? 3 : 2); f++) {
            Path p = fileName(f);
            write(p, f == damagedFile ? bytes : files[f]);
            paths.add(p);
        }
        return attempt(hundred, paths);
    }

    /** Reads with a time limit; an exception other than a one-line DatasetException fails the property. */
    private static Outcome attempt(boolean hundred, List<Path> paths) {
        try {
            ImageSet set = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> hundred
                    ? CifarReader.readCifar100("cifar100/train", paths)
                    : CifarReader.readCifar10("cifar10/train", paths));
            return new Outcome(set, null);
        } catch (DatasetException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return new Outcome(null, e);
        } catch (RuntimeException e) {
            return fail("expected a DatasetException or a set, got " + e, e);
        }
    }

    private static ImageSet read(boolean hundred, List<byte[]> contents) {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < contents.size(); i++) {
            Path p = dir.resolve("valid-" + (hundred ? 100 : 10) + "-" + i + ".bin");
            write(p, contents.get(i));
            paths.add(p);
        }
        return hundred ? CifarReader.readCifar100("cifar100/train", paths) : CifarReader.readCifar10("cifar10/train", paths);
    }

    /** The index in the set of the first record of file {@code f}. */
    private static int firstRecord(int f) {
        return f == 1 ? RECORDS[0] : 0;
    }

    private static Path fileName(int f) {
        return dir.resolve(f == 2 ? "train.bin" : "data_batch_" + (f + 1) + ".bin");
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
