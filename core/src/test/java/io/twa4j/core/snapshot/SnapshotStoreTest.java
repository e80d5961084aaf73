package io.twa4j.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.core.safetensors.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {

    @TempDir
    Path run;

    static Map<String, NDArray> params(NDManager m, float shift) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("conv.weight", m.arange(0f, 16f).add(shift).reshape(2, 2, 2, 2));
        t.put("fc.bias", m.create(new float[] {shift, -shift}));
        return t;
    }

    static SnapshotMeta meta(int epoch, double loss) {
        return new SnapshotMeta(epoch, 0, epoch * 390L, 0.1, Map.of("train_loss", loss));
    }

    @Test
    void theSizeEstimateIsExactForAFileAndAnUpperBoundForASnapshot() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = params(m, 0f);
            Map<String, String> metadata = Map.of("model", "cnn");
            Path file = run.resolve("w.safetensors");
            assertThat(SafeTensors.fileBytes(tensors, metadata)).isEqualTo(SafeTensors.write(file, tensors, metadata).bytes());
            SnapshotStore store = SnapshotStore.create(run);
            SnapshotInfo info = store.add(new SnapshotMeta(123, 45, 6789, 0.012345678901234567, Map.of("loss", 1.0)), tensors);
            long bound = SnapshotStore.fileBytesAtMost(tensors);
            assertThat(bound).isGreaterThanOrEqualTo(info.bytes()).isLessThan(info.bytes() + 128);
        }
    }

    @Test
    void twoSnapshotsRoundTripWithAManifestThatDescribesThem() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            SnapshotStore store = SnapshotStore.create(run);
            assertThat(store.size()).isZero();
            SnapshotInfo first = store.add(SnapshotMeta.of(0, 0, 0, 0.1), params(m, 0f));
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("train_loss", 1.25);
            metrics.put("test_acc", 0.5);
            SnapshotInfo second = store.add(new SnapshotMeta(1, 0, 390, 0.05, metrics), params(m, 1f));

            assertThat(first.index()).isZero();
            assertThat(second.index()).isEqualTo(1);
            Path dir = run.resolve("snapshots");
            assertThat(store.directory()).isEqualTo(dir);
            assertThat(names(dir)).containsExactly("000000.safetensors", "000001.safetensors", "manifest.json");

            // the manifest, read independently
            JsonNode root = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
            assertThat(root.get("format").asText()).isEqualTo("twa4j-snapshots/1");
            JsonNode s1 = root.get("snapshots").get(1);
            assertThat(root.get("snapshots")).hasSize(2);
            assertThat(iterableNames(s1)).containsExactly(
                    "index", "epoch", "step", "global_step", "lr", "metrics", "file", "bytes", "sha256");
            assertThat(s1.get("index").asInt()).isEqualTo(1);
            assertThat(s1.get("epoch").asInt()).isEqualTo(1);
            assertThat(s1.get("step").asInt()).isZero();
            assertThat(s1.get("global_step").asLong()).isEqualTo(390);
            assertThat(s1.get("lr").asDouble()).isEqualTo(0.05);
            assertThat(s1.get("metrics").get("train_loss").asDouble()).isEqualTo(1.25);
            assertThat(iterableNames(s1.get("metrics"))).containsExactly("train_loss", "test_acc");
            assertThat(s1.get("file").asText()).isEqualTo("000001.safetensors");
            byte[] bytes = Files.readAllBytes(dir.resolve("000001.safetensors"));
            assertThat(s1.get("bytes").asLong()).isEqualTo(bytes.length);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            assertThat(s1.get("sha256").asText()).isEqualTo(sha).isEqualTo(second.sha256());

            // reopened, the store lists and reads the same
            SnapshotStore reopened = SnapshotStore.open(run);
            assertThat(reopened.list()).containsExactly(first, second);
            assertThat(reopened.get(1).meta().metrics()).containsExactly(
                    Map.entry("train_loss", 1.25), Map.entry("test_acc", 0.5));
            Map<String, NDArray> back = reopened.read(1, m);
            Map<String, NDArray> expected = params(m, 1f);
            assertThat(back.keySet()).containsExactlyElementsOf(expected.keySet());
            for (String k : expected.keySet()) {
                assertThat(back.get(k).getShape()).isEqualTo(expected.get(k).getShape());
                assertThat(back.get(k).toFloatArray()).isEqualTo(expected.get(k).toFloatArray());
            }
            assertThat(reopened.readHeader(0).metadata())
                    .containsEntry("index", "0")
                    .containsEntry("epoch", "0")
                    .containsEntry("lr", "0.1");
        }
    }

    @Test
    void getNamesTheValidRange() {
        try (NDManager m = NDManager.newBaseManager()) {
            SnapshotStore store = SnapshotStore.create(run);
            assertThatThrownBy(() -> store.get(0)).isInstanceOf(SnapshotException.class)
                    .hasMessageContaining("snapshot 0 is not in").hasMessageContaining("it is empty");
            store.add(meta(0, 2.3), params(m, 0));
            store.add(meta(1, 1.3), params(m, 1));
            assertThatThrownBy(() -> store.get(2)).hasMessageContaining("snapshot 2").hasMessageEndingWith("0..1)");
            assertThatThrownBy(() -> store.read(-1, m)).hasMessageContaining("snapshot -1").hasMessageEndingWith("0..1)");
        }
    }

    @Test
    void createRefusesAnExistingStoreAndOpenRefusesAMissingOne() {
        assertThat(SnapshotStore.exists(run)).isFalse();
        assertThatThrownBy(() -> SnapshotStore.open(run)).isInstanceOf(SnapshotException.class)
                .hasMessage(run + " has no snapshot store (" + run.resolve("snapshots/manifest.json")
                        + " does not exist)");
        SnapshotStore.create(run);
        assertThat(SnapshotStore.exists(run)).isTrue();
        assertThatThrownBy(() -> SnapshotStore.create(run)).isInstanceOf(SnapshotException.class)
                .hasMessageContaining("already exists");
        assertThat(SnapshotStore.open(run).size()).isZero();
    }

    @Test
    void aFlippedByteIsCaughtBeforeParsingAndNamesTheIndex() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SnapshotStore store = SnapshotStore.create(run);
            store.add(meta(0, 2.3), params(m, 0));
            store.add(meta(1, 1.3), params(m, 1));
            Path file = store.file(1);
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 3] ^= 0x01; // in the data: safetensors alone cannot notice
            Files.write(file, bytes);

            try (NDManager reads = m.newSubManager()) {
                assertThatThrownBy(() -> store.read(1, reads)).isInstanceOf(SnapshotException.class)
                        .hasMessageStartingWith("snapshot 1: " + file + " is corrupt: its SHA-256 is ");
                assertThat(reads.getManagedArrays()).isEmpty();
                assertThat(store.read(0, reads)).hasSize(2); // the others are still fine
            }
        }
    }

    @Test
    void aTruncatedOrMissingFileIsCaughtAndNamesTheIndex() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SnapshotStore store = SnapshotStore.create(run);
            SnapshotInfo info = store.add(meta(0, 2.3), params(m, 0));
            Path file = store.file(0);
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 4));
            assertThatThrownBy(() -> store.read(0, m)).isInstanceOf(SnapshotException.class)
                    .hasMessage("snapshot 0: " + file + " is truncated: " + (bytes.length - 4) + " bytes, the snapshot manifest records "
                            + info.bytes());
            Files.delete(file);
            assertThatThrownBy(() -> store.verify(0)).hasMessage("snapshot 0: " + file + " is missing (the snapshot manifest lists it)");
        }
    }

    @Test
    void aFailedManifestWriteLeavesTheStoreAsItWas() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SnapshotStore store = SnapshotStore.create(run);
            store.add(meta(0, 2.3), params(m, 0));
            Path manifest = store.directory().resolve("manifest.json");
            String before = Files.readString(manifest);
            // a non-empty directory where the manifest should be: the rename over it fails
            Files.delete(manifest);
            Files.createDirectories(manifest.resolve("blocker"));
            assertThatThrownBy(() -> store.add(meta(1, 1.3), params(m, 1)))
                    .isInstanceOf(SnapshotException.class)
                    .hasMessageStartingWith(manifest + ": cannot write: ");
            assertThat(store.size()).isEqualTo(1);
            assertThat(names(store.directory())).containsExactly("000000.safetensors", "manifest.json");
            Files.delete(manifest.resolve("blocker"));
            Files.delete(manifest);
            Files.writeString(manifest, before);
            assertThat(store.add(meta(1, 1.3), params(m, 1)).index()).isEqualTo(1);
            assertThat(SnapshotStore.open(run).size()).isEqualTo(2);
        }
    }

    @Test
    void anEmptySnapshotOrBadMetaIsRefusedUpFront() {
        SnapshotStore store = SnapshotStore.create(run);
        assertThatThrownBy(() -> store.add(meta(0, 1), Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotMeta(0, 0, 0, 0.1, Map.of("loss", Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'loss'");
        assertThatThrownBy(() -> SnapshotMeta.of(-1, 0, 0, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SnapshotMeta.of(0, 0, 0, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.size()).isZero();
    }

    static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> iterableNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }
}
