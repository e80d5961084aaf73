package io.twa4j.cli;

import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.twa.SnapshotTwa;
import io.twa4j.run.twa.TwaSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


/** {@code twa4j twa}: Trainable Weight Averaging over a run's snapshots. */
@Command(name = "twa", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the coefficients of a combination of a run's snapshots (TWA).",
            "",
            "Builds an orthonormal basis of snapshots [--params-start, --params-end),",
            "reports their plain average (after a BatchNorm update) as the baseline, trains",
            "in their span, and writes RUN/twa/NAME/: weights.safetensors,",
            "coefficients.csv, summary.json and plots/*.png.",
            "With --snapshots-dir, the checkpoints of another program (e.g. the",
            "reference's N.pt) are imported into --run first."})
final class TwaCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The run directory (from train, or imported: see --snapshots-dir).")
    Path run;

    @Option(names = "--params-start", paramLabel = "I", defaultValue = "0", description = "First snapshot, inclusive (default: ${DEFAULT-VALUE}).")
    int paramsStart;

    @Option(names = "--params-end", paramLabel = "J", description = "Last snapshot, exclusive (default: all).")
    Integer paramsEnd;

    @Option(names = "--params-stride", paramLabel = "K", defaultValue = "1", description = "Every K-th snapshot of the range (default: ${DEFAULT-VALUE}).")
    int paramsStride;

    @Mixin
    TwaOptions twa;

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "Device (default: gpu when the engine sees one, else cpu).")
    String device;

    @Option(names = "--overwrite", description = "Replace an existing result of the same name.")
    boolean overwrite;

    @Option(names = "--resume",
            description = "Continue an interrupted TWA of the same name from its last saved state (after every TWA epoch);"
                    + " give the same flags as the first time.")
    boolean resume;

    @Mixin
    LockOption lock;

    @ArgGroup(exclusive = false, heading = "%nCheckpoints written elsewhere (imported into --run first):%n")
    CheckpointOptions checkpoints;

    @Mixin
    WorkerOptions workers;

    @Option(names = "--shard-basis",
            description = "With --workers: each worker holds only its 1/N of the basis's columns, for a basis too large for one"
                    + " (each step then exchanges the D-length gradient and weights, the reference's design, instead of n numbers).")
    boolean shardBasis;

    @Override
    public Integer call() {
        if (checkpoints != null && (workers.workers > 1 || workers.master != null)) {
            throw RunError.settings("--snapshots-dir imports into --run first: run twa4j import, then twa --workers on the run");
        }
        return workers.run((collective, console) -> {
            if (checkpoints != null) {
                checkpoints.importInto(run, device, lock.mode());
            }
            RunConfig config = RunDirectory.open(run).readConfig();
            int available = SnapshotTwa.snapshotCount(run);
            TwaSettings settings = twa.settings(paramsStart, paramsEnd == null ? available : paramsEnd, paramsStride,
                    config.data().batchSize());
            SnapshotTwa.Request request = new SnapshotTwa.Request(settings, Devices.resolve(device), overwrite, resume, lock.mode(),
                    shardBasis);
            SnapshotTwa.run(run, request, console, collective);
            return ExitCode.OK;
        });
    }
}
