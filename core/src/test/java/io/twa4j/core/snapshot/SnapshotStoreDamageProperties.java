package io.twa4j.core.snapshot;

import net.jqwik.api.statistics.StatisticsReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Assertions;

/**
 * Damage to a store. A snapshot file with any flipped byte or any truncation is always refused,
 * naming its index (the manifest's SHA-256 sees what safetensors cannot). A damaged manifest is
 * refused, or opens as a manifest that still validates; then any snapshot whose recorded size or
 * checksum the damage changed fails verification, and a change confined to whitespace changes
 * nothing. A flip elsewhere can give a different but valid position or metric (a digit of "lr"),
 * which no format without its own checksum can notice.
 */
// off, so that the build log shows only failures; STANDARD prints the distribution of the outcomes
@StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
class SnapshotStoreDamageProperties {

    private static Path run;
    private static Path manifest;
    private static byte[] manifestBytes;
    private static List<SnapshotInfo> original;
    private static byte[][] snapshotBytes;

    @BeforeContainer
    static void createStore() throws IOException {
        run = Files.createTempDirectory("twa4j-store-damage");
        SnapshotStore store = SnapshotStore.create(run);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < 3; i++) {
                Map<String, NDArray> t = new LinkedHashMap<>();
                t.put("w", m.arange(0f, 12f).mul(i + 1).reshape(3, 4));
                t.put("b", m.create(new float[] {i, -i, 0.5f}));
                store.add(new SnapshotMeta(i, 0, 100L * i, 0.1, Map.of("train_loss", 2.0 / (i + 1))), t);
            }
        }
        manifest = store.directory().resolve(SnapshotStore.MANIFEST);
        manifestBytes = Files.readAllBytes(manifest);
        original = store.list();
        snapshotBytes = new byte[3][];
        for (int i = 0; i < 3; i++) {
            snapshotBytes[i] = Files.readAllBytes(store.file(i));
        }
    }

    @AfterTry
    void restore() throws IOException {
        Files.write(manifest, manifestBytes);
        for (int i = 0; i < 3; i++) {
            Files.write(run.resolve("snapshots").resolve(Manifest.fileName(i)), snapshotBytes[i]);
        }
    }

    @AfterContainer
    static void removeStore() throws IOException {
        try (Stream<Path> files = Files.walk(run)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<Integer> snapshotPositions() {
        return Arbitraries.integers().between(0, snapshotBytes[0].length - 1);
    }

    @Provide
    Arbitrary<Integer> manifestPositions() {
        return Arbitraries.integers().between(0, manifestBytes.length - 1);
    }

    @Property(tries = 200)
    void aFlippedByteInASnapshotIsAlwaysCaught(
            @ForAll @IntRange(max = 2) int index,
            @ForAll("snapshotPositions") int position,
            @ForAll @IntRange(min = 1, max = 255) int mask) throws IOException {
        byte[] damaged = snapshotBytes[index].clone();
        damaged[position] ^= (byte) mask;
        Files.write(run.resolve("snapshots").resolve(Manifest.fileName(index)), damaged);
        assertRefused(index);
    }

    @Property(tries = 100)
    void aTruncatedSnapshotIsAlwaysCaught(
            @ForAll @IntRange(max = 2) int index, @ForAll("snapshotPositions") int length) throws IOException {
        Files.write(run.resolve("snapshots").resolve(Manifest.fileName(index)),
                Arrays.copyOf(snapshotBytes[index], length));
        assertRefused(index);
    }

    @Property(tries = 400)
    void aFlippedByteInTheManifestIsRefusedOrStillChecked(
            @ForAll("manifestPositions") int position, @ForAll @IntRange(min = 1, max = 255) int mask)
            throws IOException {
        byte[] damaged = manifestBytes.clone();
        damaged[position] ^= (byte) mask;
        Files.write(manifest, damaged);
        SnapshotStore store = openOrNull();
        Statistics.collect(store == null ? "refused"
                : store.list().equals(original) ? "opened, same"
                : digestsChanged(store) ? "opened, a checksum or size changed" : "opened, a position or metric changed");
        if (store == null) {
            return;
        }
        if (isJsonWhitespace(manifestBytes[position]) && isJsonWhitespace(damaged[position])) {
            assertThat(store.list()).isEqualTo(original);
        }
        checkEverySnapshot(store);
    }

    @Property(tries = 200)
    void aTruncatedManifestIsRefusedUnlessOnlyWhitespaceWasCut(@ForAll("manifestPositions") int length)
            throws IOException {
        Files.write(manifest, Arrays.copyOf(manifestBytes, length));
        SnapshotStore store = openOrNull();
        boolean onlyWhitespaceCut = true;
        for (int i = length; i < manifestBytes.length; i++) {
            onlyWhitespaceCut &= isJsonWhitespace(manifestBytes[i]);
        }
        if (onlyWhitespaceCut) {
            assertThat(store).isNotNull();
            assertThat(store.list()).isEqualTo(original);
        } else {
            assertThat(store).as("cut to %d of %d bytes", length, manifestBytes.length).isNull();
        }
    }

    /**
     * Opens the store; a refusal gives null, any exception but a one-line SnapshotException fails,
     * and so does taking over 10 seconds (a hang).
     */
    private static SnapshotStore openOrNull() {
        try {
            return Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> SnapshotStore.open(run));
        } catch (SnapshotException e) {
            assertThat(e.getMessage()).startsWith(manifest + ": ").doesNotContain("\n");
            return null;
        } catch (RuntimeException e) {
            return fail("expected a SnapshotException, got " + e, e);
        }
    }

    /** Verification fails exactly for the snapshots whose recorded size or checksum changed. */
    private static void checkEverySnapshot(SnapshotStore store) {
        assertThat(store.size()).isEqualTo(original.size()); // an entry cannot vanish with one flip
        for (int i = 0; i < store.size(); i++) {
            int index = i;
            if (store.get(i).digest().equals(original.get(i).digest())) {
                store.verify(i);
            } else {
                assertThatThrownBy(() -> store.verify(index))
                        .isInstanceOf(SnapshotException.class)
                        .hasMessageStartingWith("snapshot " + index + ": ");
            }
        }
    }

    private static boolean digestsChanged(SnapshotStore store) {
        for (int i = 0; i < store.size(); i++) {
            if (!store.get(i).digest().equals(original.get(i).digest())) {
                return true;
            }
        }
        return false;
    }

    private static void assertRefused(int index) {
        SnapshotStore store = SnapshotStore.open(run);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> store.read(index, m)))
                    .isInstanceOf(SnapshotException.class)
                    .hasMessageStartingWith("snapshot " + index + ": " + store.file(index))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(m.getManagedArrays()).isEmpty();
        }
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
