package io.twa4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotInfo;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.twa.Basis;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
            "coefficients.csv, summary.json and plots/*.png."})
final class TwaCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The run directory (from train).")
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

    @Override
    public Integer call() {
        runTwa();
        return ExitCode.OK;
    }

    /** Runs TWA as the flags say and returns the result. */
    TwaRunner.Result runTwa() {
        RunDirectory runDirectory = RunDirectory.open(run);
        RunConfig config = runDirectory.readConfig();
        SnapshotStore store = SnapshotStore.open(run);
        int end = paramsEnd == null ? store.size() : paramsEnd;
        checkRange(store.size(), end);
        TwaSettings settings = twa.settings(paramsStart, end, paramsStride, config.batchSize());
        List<Integer> indices = settings.snapshotIndices();
        if (settings.trainStart() < -1 || settings.trainStart() >= store.size()) {
            throw UserError.usage("--train-start must be -1 (the mean) or a snapshot 0.." + (store.size() - 1)
                    + ", got " + settings.trainStart());
        }
        try (Workspace workspace = Workspace.open(config, Devices.resolve(device))) {
            workspace.trainBatches(settings.batchSize()); // fail on missing data before the long part
            DiskSpace.requireForTwa(run, workspace.block());
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(workspace.block()));
            long started = System.nanoTime();
            try (Basis basis = new Basis(workspace.manager(), trainable.size(), indices.size(), settings.tolerance(), settings.storage())) {
            List<TwaRunner.SnapshotPoint> points = new ArrayList<>();
            int steps = workspace.trainBatches().batchesPerEpoch();
            for (int index : indices) {
                try (NDManager scope = workspace.manager().newSubManager()) {
                    basis.add(index, flatSnapshot(store, index, trainable, scope));
                }
                SnapshotInfo info = store.get(index);
                points.add(new TwaRunner.SnapshotPoint(index, info.meta().epoch() + (double) info.meta().step() / steps));
            }
            double basisSeconds = (System.nanoTime() - started) / 1e9;
            double[] start = startCoordinates(settings.trainStart(), indices, basis, store, trainable, workspace);
            return TwaRunner.run(workspace, runDirectory, basis, points, start, settings, basisSeconds, overwrite,
                    resume ? TwaRunner.Resume.CONTINUE : TwaRunner.Resume.NEW, System.out);
            }
        }
    }

    private void checkRange(int available, int end) {
        if (available == 0) {
            throw UserError.badInput("run " + run + " has no snapshots");
        }
        if (paramsStart < 0) {
            throw UserError.usage("--params-start must be >= 0, got " + paramsStart);
        }
        if (paramsStride < 1) {
            throw UserError.usage("--params-stride must be >= 1, got " + paramsStride);
        }
        if (end <= paramsStart) {
            throw UserError.usage("--params-end (" + end + ") must be greater than --params-start (" + paramsStart + ")");
        }
        if (end > available) {
            throw UserError.usage("--params-end " + end + " reaches past the last snapshot: run " + run + " has snapshots 0.."
                    + (available - 1) + ", so --params-end can be at most " + available);
        }
        int count = (end - paramsStart + paramsStride - 1) / paramsStride;
        if (count < 2) {
            throw UserError.usage("TWA needs at least 2 snapshots; [" + paramsStart + ", " + end + ") with stride " + paramsStride
                    + " holds " + count);
        }
    }

    /** The trainable parameters of snapshot {@code index} as one flat vector, checked against the model. */
    private static NDArray flatSnapshot(SnapshotStore store, int index, FlatParameters trainable, NDManager scope) {
        Map<String, NDArray> tensors = store.read(index, scope);
        try {
            return trainable.flatten(tensors, scope);
        } catch (IllegalArgumentException e) {
            throw UserError.badInput("snapshot " + index + " (" + store.file(index) + ") does not match the run's model: " + e.getMessage());
        }
    }

    /** The mean's coordinates, or those of snapshot {@code trainStart} (projected when it is outside the range). */
    private static double[] startCoordinates(int trainStart, List<Integer> indices, Basis basis, SnapshotStore store,
            FlatParameters trainable, Workspace workspace) {
        if (trainStart == -1) {
            return basis.coordinatesOfMean();
        }
        int position = indices.indexOf(trainStart);
        if (position >= 0) {
            return basis.coordinatesOf(position);
        }
        System.out.printf(Locale.ROOT, "note: snapshot %d is outside the range; starting at its projection onto the span%n", trainStart);
        try (NDManager scope = workspace.manager().newSubManager()) {
            float[] projected = basis.project(flatSnapshot(store, trainStart, trainable, scope), scope).toFloatArray();
            double[] start = new double[projected.length];
            for (int i = 0; i < projected.length; i++) {
                start[i] = projected[i];
            }
            return start;
        }
    }
}
