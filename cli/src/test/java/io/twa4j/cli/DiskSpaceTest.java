package io.twa4j.cli;

import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.run.check.DiskSpace;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingPlan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that would not fit on its disk is refused before it starts, saying the estimate and the free space. */
class DiskSpaceTest {

    @TempDir
    Path temp;

    private static String[] train(Path run, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", "synthetic", "--model", "cnn", "--epochs", "2",
                "--snapshots-per-epoch", "2", "--train-limit", "128", "--batch-size", "32", "--test-limit", "50", "--device", "cpu",
                "--run", run.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** Runs the command with the disk reporting {@code free} usable bytes, and the directories asked about in {@code asked}. */
    private static CliRunner.Result withFreeSpace(long free, List<Path> asked, String... args) {
        DiskSpace.FreeSpace previous = DiskSpace.useFreeSpace(dir -> {
            asked.add(dir);
            return free;
        });
        try {
            return CliRunner.run(args);
        } finally {
            DiskSpace.useFreeSpace(previous);
        }
    }

    @Test
    void aFullDiskRefusesTheRunBeforeAnythingIsWritten() {
        Path run = temp.resolve("deep/run");
        List<Path> asked = new ArrayList<>();
        CliRunner.Result result = withFreeSpace(300_000, asked, train(run));
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.err().strip().lines()).hasSize(1);
        assertThat(result.err()).contains("run needs about").contains("for 5 snapshots of")
                .contains(temp + " has 300 kB free").doesNotContain("Exception");
        assertThat(asked).containsExactly(temp.toAbsolutePath()); // the nearest existing parent
        assertThat(temp.resolve("deep")).doesNotExist();
    }

    @Test
    void theEstimateBoundsWhatARunWrites() throws IOException {
        Path run = temp.resolve("run");
        CliRunner.Result result = withFreeSpace(Long.MAX_VALUE, new ArrayList<>(), train(run));
        assertThat(result.exitCode()).as(result.err()).isZero();
        RunConfig config = RunDirectory.open(run).readConfig();
        DiskSpace.Estimate estimate;
        try (Workspace workspace = Workspace.open(config, ai.djl.Device.cpu())) {
            estimate = DiskSpace.estimate(workspace.block(), config, TrainingPlan.trainOnly(config).snapshots(config), null);
        }
        assertThat(estimate.snapshots()).isEqualTo(5);
        assertThat(estimate.resultBytes()).isZero();
        assertThat(estimate.stateBytes()).as("the resumable states").isGreaterThan(2 * estimate.snapshotBytes());
        long total = 0;
        try (Stream<Path> files = Files.walk(run)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                long size = Files.size(file);
                total += size;
                if (file.startsWith(run.resolve("snapshots")) && file.toString().endsWith(".safetensors")) {
                    assertThat(estimate.snapshotBytes()).as(file.toString()).isBetween(size, size + 128);
                }
            }
        }
        assertThat(estimate.total()).isGreaterThanOrEqualTo(total);
    }

    @Test
    void theRunFitsExactlyAtTheEstimateAndNotOneByteBelow() throws IOException {
        Path run = temp.resolve("r");
        DiskSpace.Estimate estimate = new DiskSpace.Estimate(3, 1_000_000, 1_000_000, 0);
        DiskSpace.FreeSpace previous = DiskSpace.useFreeSpace(dir -> estimate.total());
        try {
            DiskSpace.require(run, false, estimate);
        } finally {
            DiskSpace.useFreeSpace(previous);
        }
        previous = DiskSpace.useFreeSpace(dir -> estimate.total() - 1);
        try {
            assertThatThrownBy(() -> DiskSpace.require(run, false, estimate))
                    .isInstanceOfSatisfying(RunError.class, e -> assertThat(e.kind()).isEqualTo(RunError.Kind.INPUT))
                    .hasMessage("run needs about 8.0 MB for 3 snapshots of 1.0 MB and results of 1.0 MB; " + temp
                            + " has 8.0 MB free; free some space or choose another --run");
        } finally {
            DiskSpace.useFreeSpace(previous);
        }
    }

    @Test
    void overwriteCountsTheSpaceTheOldRunFrees() throws IOException {
        Path run = temp.resolve("old");
        Files.createDirectories(run.resolve("snapshots"));
        Files.write(run.resolve("snapshots/big.bin"), new byte[3_000_000]);
        DiskSpace.Estimate estimate = new DiskSpace.Estimate(1, 1_000_000, 0, 0); // 5 MB with the allowance
        DiskSpace.FreeSpace previous = DiskSpace.useFreeSpace(dir -> 2_000_000);
        try {
            DiskSpace.require(run, true, estimate);
            assertThatThrownBy(() -> DiskSpace.require(run, false, estimate)).isInstanceOf(RunError.class);
            Files.write(run.resolve("snapshots/big.bin"), new byte[2_999_999]);
            assertThatThrownBy(() -> DiskSpace.require(run, true, estimate))
                    .isInstanceOf(RunError.class).hasMessageContaining("3.0 MB more once --overwrite empties " + run);
        } finally {
            DiskSpace.useFreeSpace(previous);
        }
    }

    @Test
    void sizesReadLikeDf() {
        assertThat(DiskSpace.size(512)).isEqualTo("512 bytes");
        assertThat(DiskSpace.size(4_200)).isEqualTo("4.2 kB");
        assertThat(DiskSpace.size(58_000_000)).isEqualTo("58 MB");
        assertThat(DiskSpace.size(999_999)).isEqualTo("1.0 MB");
        assertThat(DiskSpace.size(1_234_000_000)).isEqualTo("1.2 GB");
    }

    @Test
    void anEstimateDescribesItsParts() {
        assertThat(new DiskSpace.Estimate(21, 58_000_000, 0, 0).describe()).isEqualTo("21 snapshots of 58 MB");
        assertThat(new DiskSpace.Estimate(21, 58_000_000, 0, 348_000_000).describe())
                .isEqualTo("21 snapshots of 58 MB and resumable states of 348 MB");
        assertThat(new DiskSpace.Estimate(1, 58_000_000, 58_000_000, 0).describe()).isEqualTo("1 snapshot of 58 MB and results of 58 MB");
        assertThat(new DiskSpace.Estimate(0, 58_000_000, 58_000_000, 0).describe()).isEqualTo("results of 58 MB");
        assertThatThrownBy(() -> DiskSpace.require(temp.resolve("x"), false, new DiskSpace.Estimate(21, Long.MAX_VALUE / 64, 0, 0)))
                .isInstanceOf(RunError.class).hasMessageContaining("21 snapshots of");
    }

    @Test
    void twaIsRefusedWhenItsResultWouldNotFit() {
        Path run = temp.resolve("run");
        CliRunner.Result trained = CliRunner.run(train(run));
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        CliRunner.Result result = withFreeSpace(1_000, new ArrayList<>(), "twa", "--run", run.toString(), "--epochs", "1");
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.err()).contains("results of").contains("resumable states of").contains("1.0 kB free");
        assertThat(run.resolve("twa")).doesNotExist();
    }
}
