package io.twa4j.run.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.Console;
import io.twa4j.run.RunError;
import io.twa4j.run.RunLock;
import io.twa4j.run.check.RunVerifier;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingJob;
import io.twa4j.run.twa.SnapshotTwa;
import io.twa4j.run.twa.TwaResult;
import io.twa4j.run.twa.TwaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's snapshots copied out as {@code N.safetensors} files and imported back: the imported run
 * holds the same tensors, verifies, and TWA on it gives what TWA on the original run gives.
 */
class CheckpointImportTest {

    @TempDir
    static Path temp;

    private static RunConfig config;
    private static Path trained;
    private static Path folder;

    @BeforeAll
    static void trainAndCopyOut() throws IOException {
        DataConfig data = DataConfig.of("synthetic").limit(256, 100);
        config = RunConfig.train(data, "cnn", OptimizerConfig.reference(2, 0.05), 1);
        trained = temp.resolve("trained");
        TrainingJob.start(TrainingJob.Request.of(config, trained), Console.silent());
        folder = Files.createDirectories(temp.resolve("checkpoints"));
        for (int i = 0; i < 3; i++) {
            Files.copy(trained.resolve(String.format("snapshots/%06d.safetensors", i)), folder.resolve(i + ".safetensors"));
        }
        Files.writeString(folder.resolve("notes.txt"), "not a checkpoint");
    }

    private static CheckpointImport.Request request(Path dir, String pattern, Path run) {
        return new CheckpointImport.Request(dir, pattern, config, run, Device.cpu(), false, RunLock.Mode.EXCLUSIVE);
    }

    @Test
    void importedSnapshotsHoldTheCheckpointsAndTwaRunsOnThem() {
        Path run = temp.resolve("imported");
        assertThat(CheckpointImport.run(request(folder, "{i}.safetensors", run), Console.silent())).isEqualTo(3);

        SnapshotStore original = SnapshotStore.open(trained);
        SnapshotStore imported = SnapshotStore.open(run);
        assertThat(imported.size()).isEqualTo(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < 3; i++) {
                Map<String, NDArray> want = original.read(i, manager);
                Map<String, NDArray> got = imported.read(i, manager);
                assertThat(got.keySet()).isEqualTo(want.keySet());
                for (String name : want.keySet()) {
                    assertThat(got.get(name).toFloatArray()).as(name).containsExactly(want.get(name).toFloatArray());
                }
            }
        }
        assertThat(imported.get(2).meta().epoch()).isEqualTo(2);
        assertThat(RunVerifier.verify(run).problems()).isEmpty();
        assertThat(CheckpointImport.imported(run, folder, "{i}.safetensors")).isTrue();
        assertThatThrownBy(() -> CheckpointImport.imported(run, folder, "{i}.pt")).isInstanceOf(RunError.class)
                .hasMessageContaining("was imported from");

        TwaSettings settings = TwaSettings.reference(0, 3, 128).withEpochs(1, "constant");
        TwaResult onImported = SnapshotTwa.run(run, SnapshotTwa.Request.of(settings), Console.silent());
        TwaResult onOriginal = SnapshotTwa.run(trained, SnapshotTwa.Request.of(settings), Console.silent());
        assertThat(onImported.twa()).isEqualTo(onOriginal.twa());
        assertThat(onImported.average()).isEqualTo(onOriginal.average());
    }

    @Test
    void gapsPatternsAndForeignFilesAreRefusedByName() throws IOException {
        Path gappy = Files.createDirectories(temp.resolve("gappy"));
        Files.copy(folder.resolve("0.safetensors"), gappy.resolve("0.safetensors"));
        Files.copy(folder.resolve("2.safetensors"), gappy.resolve("2.safetensors"));
        assertThatThrownBy(() -> CheckpointImport.checkpoints(gappy, "{i}.safetensors")).isInstanceOf(RunError.class)
                .hasMessageContaining("1.safetensors is missing");
        assertThatThrownBy(() -> CheckpointImport.checkpoints(folder, "x.pt")).hasMessageContaining("{i} once");
        Files.copy(folder.resolve("1.safetensors"), gappy.resolve("001.safetensors"));
        assertThat(CheckpointImport.checkpoints(gappy, "{i}.safetensors")).extracting(p -> p.getFileName().toString())
                .containsExactly("0.safetensors", "001.safetensors", "2.safetensors"); // leading zeros are the same index
        Files.copy(folder.resolve("1.safetensors"), gappy.resolve("01.safetensors"));
        assertThatThrownBy(() -> CheckpointImport.checkpoints(gappy, "{i}.safetensors")).isInstanceOf(RunError.class)
                .hasMessageContaining("both match").hasMessageContaining("as checkpoint 1");
        assertThatThrownBy(() -> CheckpointImport.checkpoints(folder, "{i}.pt")).hasMessageContaining("no file in");

        Path foreign = Files.createDirectories(temp.resolve("foreign"));
        try (NDManager manager = NDManager.newBaseManager()) {
            SafeTensors.write(foreign.resolve("0.safetensors"), Map.of("conv.weight", manager.zeros(new ai.djl.ndarray.types.Shape(2))),
                    Map.of());
        }
        Path run = temp.resolve("foreign-run");
        assertThatThrownBy(() -> CheckpointImport.run(request(foreign, "{i}.safetensors", run), Console.silent()))
                .isInstanceOf(RunError.class).hasMessageContaining("0.safetensors").hasMessageContaining("conv.weight");
    }
}
