package io.twa4j.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** States are used only when intact; the newest two are kept so that a damaged one has a fallback. */
class StateStoreTest {

    @TempDir
    Path temp;

    private static StateStore.Saved save(StateStore store, NDManager manager, long sequence) {
        Map<String, NDArray> tensors = Map.of("alpha", manager.create(new double[] {sequence, 0.5}),
                "weights/w", manager.create(new float[] {sequence, 1, 2}));
        return store.save(sequence, tensors, Map.of("epoch", Long.toString(sequence)));
    }

    private static long files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void keepsTheNewestTwoAndReadsThemBack() throws IOException {
        StateStore store = new StateStore(temp.resolve("state"));
        assertThat(store.latest().state()).isNull();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (long sequence = 1; sequence <= 3; sequence++) {
                save(store, manager, sequence);
            }
            assertThat(files(store.directory())).isEqualTo(4); // two states, each a file and a record
            StateStore.Latest latest = store.latest();
            assertThat(latest.problems()).isEmpty();
            assertThat(latest.state().sequence()).isEqualTo(3);
            assertThat(latest.state().getLong("epoch")).isEqualTo(3);
            Map<String, NDArray> tensors = store.read(latest.state(), manager);
            assertThat(tensors.get("alpha").toDoubleArray()).containsExactly(3.0, 0.5); // float64 kept
            assertThat(tensors.get("weights/w").toFloatArray()).containsExactly(3f, 1f, 2f);
        }
    }

    @Test
    void aDamagedNewestStateIsReportedAndTheOlderOneUsed() throws IOException {
        StateStore store = new StateStore(temp.resolve("state"));
        try (NDManager manager = NDManager.newBaseManager()) {
            save(store, manager, 1);
            StateStore.Saved newest = save(store, manager, 2);
            byte[] bytes = Files.readAllBytes(newest.file());
            bytes[bytes.length - 1] ^= 0x40;
            Files.write(newest.file(), bytes);
            StateStore.Latest latest = store.latest();
            assertThat(latest.state().sequence()).isEqualTo(1);
            assertThat(latest.problems()).singleElement().asString().contains(newest.file().toString()).contains("corrupt");
            assertThatThrownBy(() -> store.read(newest, manager)).isInstanceOf(SnapshotException.class).hasMessageContaining("corrupt");
            store.dropNewerThan(latest.state()); // what a resume does: the damaged newer state goes
            assertThat(newest.file()).doesNotExist();
            assertThat(store.latest().problems()).isEmpty();

            // a record cut short (a crash while it was written would leave the old file, but a disk can fail)
            Path record = store.recordOf(latest.state());
            Files.write(record, new byte[] {'{'}, StandardOpenOption.TRUNCATE_EXISTING);
            assertThat(store.latest().state()).isNull();
            assertThat(store.latest().problems()).hasSize(1);
            assertThat(store.checkAll().intact()).isEmpty();
        }
    }

    @Test
    void tensorsWithoutTheirRecordAreNotAState() throws IOException {
        StateStore store = new StateStore(temp.resolve("state"));
        try (NDManager manager = NDManager.newBaseManager()) {
            StateStore.Saved saved = save(store, manager, 7);
            Files.delete(store.recordOf(saved)); // killed between writing the tensors and the record
            assertThat(store.latest().state()).isNull();
            save(store, manager, 7); // written again when the run gets there again
            assertThat(store.latest().state().sequence()).isEqualTo(7);
            store.clear();
            assertThat(files(store.directory())).isZero();
        }
    }

    @Test
    void aTruncatedStateOrABadDigestInItsRecordIsReportedNamingTheFiles() throws IOException {
        StateStore store = new StateStore(temp.resolve("state"));
        try (NDManager manager = NDManager.newBaseManager()) {
            StateStore.Saved saved = save(store, manager, 3);
            Path record = store.recordOf(saved);
            String intact = Files.readString(record);
            byte[] bytes = Files.readAllBytes(saved.file());
            Files.write(saved.file(), java.util.Arrays.copyOf(bytes, bytes.length - 1));
            assertThat(store.latest().problems()).containsExactly("state " + saved.file() + " is truncated: " + (bytes.length - 1)
                    + " bytes, " + record.getFileName() + " records " + bytes.length);
            Files.write(saved.file(), bytes);
            Files.writeString(record, intact.replaceFirst("\"bytes\" : \\d+", "\"bytes\" : -5"));
            assertThat(store.checkAll().problems()).containsExactly(
                    "state record " + record + ": 'bytes' must be a non-negative integer, not -5");
            Files.writeString(record, intact);
            assertThat(store.checkAll().intact()).hasSize(1);
        }
    }
}
