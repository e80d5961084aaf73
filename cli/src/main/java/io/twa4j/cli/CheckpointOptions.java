package io.twa4j.cli;

import io.twa4j.run.RunLock;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.ModelConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.config.SnapshotConfig;
import io.twa4j.run.config.Versions;
import io.twa4j.run.interop.CheckpointImport;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code twa --snapshots-dir}: TWA on checkpoints written elsewhere, imported into {@code --run}
 * first (as {@code twa4j import} does, with the data's defaults; use {@code import} for the other
 * data flags).
 */
final class CheckpointOptions {

    /** The reference scripts' file names: {@code 0.pt}, {@code 1.pt}, ... */
    static final String DEFAULT_PATTERN = "{i}.pt";

    @Option(names = "--snapshots-dir", paramLabel = "DIR", required = true,
            description = "Checkpoints written elsewhere (e.g. the reference's N.pt), imported into --run first as `twa4j import` does;"
                    + " a --run imported from them before is used as it is.")
    Path snapshotsDir;

    @Option(names = "--pattern", paramLabel = "NAME", defaultValue = DEFAULT_PATTERN,
            description = "The file name of checkpoint i, {i} standing for i (default: ${DEFAULT-VALUE}).")
    String pattern;

    @Option(names = "--model", paramLabel = "NAME", required = true, description = "The model the checkpoints hold (see `twa4j models`).")
    String model;

    @Option(names = "--data", paramLabel = "NAME", defaultValue = "cifar10", description = "Dataset (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of the dataset's files (default: the dataset's place).")
    Path dataDir;

    @Option(names = "--snapshots-per-epoch", paramLabel = "K", defaultValue = "1",
            description = "Checkpoints per epoch of the training that wrote them (default: ${DEFAULT-VALUE}).")
    int snapshotsPerEpoch;

    /** Imports the checkpoints into {@code run} unless it was imported from them before. */
    void importInto(Path run, String device, RunLock.Mode lock) {
        if (CheckpointImport.imported(run, snapshotsDir, pattern)) {
            return;
        }
        int checkpoints = CheckpointImport.checkpoints(snapshotsDir, pattern).size();
        RunConfig config = Check.flags(() -> {
            DataConfig dataConfig = DataConfig.of(data, dataDir == null ? null : dataDir.toString());
            return new RunConfig(CheckpointImport.COMMAND, dataConfig, ModelConfig.forData(model, dataConfig),
                    placeholderOptimizer(checkpoints, snapshotsPerEpoch), new SnapshotConfig(snapshotsPerEpoch), 1, device,
                    null, null, null, Versions.current());
        });
        CheckpointImport.run(new CheckpointImport.Request(snapshotsDir, pattern, config, run, Devices.resolve(device), false, lock),
                ProgressBars.console());
    }

    /**
     * The optimiser an imported run records: the reference's SGD over as many epochs as the
     * checkpoints span (checkpoint 0 being the initialisation). It says nothing of how they were trained.
     */
    static OptimizerConfig placeholderOptimizer(int checkpoints, int perEpoch) {
        return Check.flags(() -> OptimizerConfig.reference(Math.max(1, (checkpoints - 1 + perEpoch - 1) / Math.max(1, perEpoch)), 0.1));
    }
}
