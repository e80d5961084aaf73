package io.twa4j.run.twa;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotInfo;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.twa.BlockBasis;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.RunLock;
import io.twa4j.run.Workspace;
import io.twa4j.run.method.MethodContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TWA over the snapshot files of a run ({@code twa4j twa}): the basis of snapshots [start, end)
 * with stride, built one snapshot at a time from the checksummed files, then {@link Twa}.
 *
 * <pre>{@code
 * TwaResult result = SnapshotTwa.run(Path.of("runs/r"), SnapshotTwa.Request.of(TwaSettings.reference(0, 3, 128)),
 *         Console.of(System.out));
 * }</pre>
 */
public final class SnapshotTwa {
    private SnapshotTwa() {}

    /**
     * What to run.
     *
     * @param settings the TWA settings
     * @param device the device, or null for the engine's default
     * @param overwrite whether an existing result of the same name is replaced
     * @param resume whether an interrupted TWA of the same name continues from its last state
     * @param lock how the job holds the run's {@link RunLock} (for its whole life)
     * @param shardBasis whether, on several ranks, each holds only its share of the basis's columns
     *     (for a basis too large for one worker; the D-length exchanges are then paid every step)
     */
    public record Request(TwaSettings settings, Device device, boolean overwrite, boolean resume, RunLock.Mode lock,
            boolean shardBasis) {
        /** Checks that {@code lock} is given. */
        public Request {
            java.util.Objects.requireNonNull(lock, "lock");
        }

        /** A request whose ranks each hold the whole basis. */
        public Request(TwaSettings settings, Device device, boolean overwrite, boolean resume, RunLock.Mode lock) {
            this(settings, device, overwrite, resume, lock, false);
        }

        /** A request that takes the run's lock ({@link RunLock.Mode#EXCLUSIVE}). */
        public Request(TwaSettings settings, Device device, boolean overwrite, boolean resume) {
            this(settings, device, overwrite, resume, RunLock.Mode.EXCLUSIVE);
        }

        /** A new TWA with {@code settings} on the engine's default device. */
        public static Request of(TwaSettings settings) {
            return new Request(settings, null, false, false);
        }
    }

    /**
     * Runs TWA on the snapshots of the run in {@code runDir}, holding the run's lock as {@code
     * request} says (two TWAs on one run, of the same name or not, never write it at once).
     *
     * @throws RunError (settings) if the range or start lies outside the run's snapshots; (input)
     *     for a missing or damaged run, snapshot or dataset, or naming the holder if another
     *     process writes the run
     */
    public static TwaResult run(Path runDir, Request request, Console console) {
        return run(runDir, request, console, Collective.single());
    }

    /**
     * TWA as one rank of a multi-worker run: every rank calls this with the same request, reads
     * the snapshots and builds the same basis, and trains the coefficients data-parallel (the n
     * numbers {@code P g} summed over the ranks each step); rank 0 alone takes the lock and writes
     * the result and states.
     */
    public static TwaResult run(Path runDir, Request request, Console console, Collective collective) {
        RunDirectory.open(runDir); // no lock file where there is no run
        String command = "twa4j twa --name " + request.settings().name() + (request.resume() ? " --resume" : "");
        try (RunLock held = collective.isLeader() ? RunLock.take(runDir, command, request.lock(), console) : null) {
            return locked(runDir, request, console, collective);
        }
    }

    private static TwaResult locked(Path runDir, Request request, Console console, Collective collective) {
        RunDirectory run = collective.isLeader() ? RunDirectory.open(runDir) : RunDirectory.follower(runDir);
        SnapshotStore store = SnapshotStore.open(runDir);
        TwaSettings settings = request.settings();
        checkAgainst(store, settings, runDir);
        Device device = request.device() == null ? ai.djl.engine.Engine.getInstance().defaultDevice() : request.device();
        try (Workspace workspace = Workspace.open(run.readConfig(), device, collective)) {
            // fail on missing data (or a missing held-out part) before the long part
            BatchSource trainOn = settings.onHeldOut() ? workspace.heldOutTrainingBatches(settings.batchSize())
                    : workspace.trainBatches(settings.batchSize());
            Map<String, ParameterLayout> blocks = Blocks.of(ParameterLayout.trainable(workspace.block()), settings.coefficients(),
                    "coefficients");
            if (request.shardBasis() && blocks.size() > 1 && collective.size() > 1) {
                throw RunError.settings("--shard-basis splits one global basis: use it with --coefficients global");
            }
            long started = System.nanoTime();
            List<Integer> indices = settings.snapshotIndices();
            try (BlockBasis basis = BlockBasis.empty(blocks, workspace.manager(), indices.size(), settings.tolerance(),
                    settings.encoding(), request.shardBasis() ? collective : Collective.single())) {
                List<SnapshotPoint> points = addSnapshots(basis, store, indices, workspace);
                double basisSeconds = (System.nanoTime() - started) / 1e9;
                double[] start = startCoordinates(settings.trainStart(), indices, basis, store, workspace, console);
                Twa twa = new Twa(basis, points, start, settings, basisSeconds, request.resume() ? Twa.States.CONTINUE : Twa.States.NEW);
                TwaResult result = new MethodContext(workspace, run, console, request.overwrite()).execute(twa);
                collective.barrier(); // when the job returns on any rank, rank 0 has written the result
                return result;
            }
        }
    }

    /**
     * How many snapshots the run in {@code runDir} has ({@code --params-end}'s default).
     *
     * @throws RunError (input) if it has none, or its manifest is missing or damaged
     */
    public static int snapshotCount(Path runDir) {
        return available(SnapshotStore.open(runDir), runDir);
    }

    private static int available(SnapshotStore store, Path runDir) {
        if (store.size() == 0) {
            throw RunError.input("run " + runDir + " has no snapshots");
        }
        return store.size();
    }

    private static void checkAgainst(SnapshotStore store, TwaSettings settings, Path runDir) {
        int available = available(store, runDir);
        if (settings.paramsEnd() > available) {
            throw RunError.settings("--params-end " + settings.paramsEnd() + " reaches past the last snapshot: run " + runDir
                    + " has snapshots 0.." + (available - 1) + ", so --params-end can be at most " + available);
        }
        if (settings.trainStart() >= available) {
            throw RunError.settings("--train-start must be -1 (the mean) or a snapshot 0.." + (available - 1) + ", got "
                    + settings.trainStart());
        }
    }

    /** Adds the snapshots to the basis, one file at a time; returns where each lies in the run. */
    private static List<SnapshotPoint> addSnapshots(BlockBasis basis, SnapshotStore store, List<Integer> indices, Workspace workspace) {
        List<SnapshotPoint> points = new ArrayList<>();
        int steps = workspace.trainBatches().batchesPerEpoch();
        for (int index : indices) {
            try (NDManager scope = workspace.manager().newSubManager()) {
                Map<String, NDArray> tensors = snapshotTensors(store, index, workspace, scope);
                basis.add(index, block -> block.flatten(tensors, scope));
            }
            SnapshotInfo info = store.get(index);
            points.add(new SnapshotPoint(index, info.meta().epoch() + (double) info.meta().step() / steps));
        }
        return points;
    }

    /** The tensors of snapshot {@code index} under the model's names, checked against the model. */
    private static Map<String, NDArray> snapshotTensors(SnapshotStore store, int index, Workspace workspace, NDManager scope) {
        return workspace.naming().toModel(store.read(index, scope),
                "snapshot " + index + " (" + store.file(index) + ") does not match the run's model: ");
    }

    /** The mean's coordinates, or those of snapshot {@code trainStart} (projected when it is outside the range). */
    private static double[] startCoordinates(int trainStart, List<Integer> indices, BlockBasis basis, SnapshotStore store,
            Workspace workspace, Console console) {
        if (trainStart == -1) {
            return basis.coordinatesOfMean();
        }
        int position = indices.indexOf(trainStart);
        if (position >= 0) {
            return basis.coordinatesOf(position);
        }
        console.out().printf(Locale.ROOT, "note: snapshot %d is outside the range; starting at its projection onto the span%n", trainStart);
        try (NDManager scope = workspace.manager().newSubManager()) {
            Map<String, NDArray> tensors = snapshotTensors(store, trainStart, workspace, scope);
            return basis.project(block -> block.flatten(tensors, scope), scope);
        }
    }
}
