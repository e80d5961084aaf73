package io.twa4j.run.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotMeta;
import io.twa4j.core.snapshot.SnapshotRecorder;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.BasisSink;
import io.twa4j.core.twa.BlockBasis;
import io.twa4j.run.twa.Blocks;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.RunLock;
import io.twa4j.run.Workspace;
import io.twa4j.run.check.DiskSpace;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.method.MethodContext;
import io.twa4j.run.twa.SnapshotPoint;
import io.twa4j.run.twa.Twa;
import io.twa4j.run.twa.TwaResult;
import io.twa4j.run.twa.TwaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Regular training of a run from its {@link RunConfig} ({@code train}, {@code swa}, {@code demo}):
 * SGD with the schedule, the snapshots, the SWA/EMA averages, resumable states; optionally
 * stopped early and followed by TWA on an in-memory basis ({@code train --twa-after}).
 *
 * <pre>{@code
 * TrainingJob.Outcome trained = TrainingJob.start(TrainingJob.Request.of(config, Path.of("runs/r")), Console.of(System.out));
 * }</pre>
 */
public final class TrainingJob {
    private TrainingJob() {}

    /**
     * A new run.
     *
     * @param config the run's configuration
     * @param runDir the run directory (created; it must be empty unless {@code overwrite})
     * @param device the device, or null for the engine's default
     * @param overwrite whether the contents of a non-empty {@code runDir} are replaced
     * @param plan what to do (regular training over the budget, or fewer epochs then TWA)
     * @param lock how the job holds the run's {@link RunLock} (from before it touches the run directory to its end)
     */
    public record Request(RunConfig config, Path runDir, Device device, boolean overwrite, TrainingPlan plan, RunLock.Mode lock) {
        /** Checks that {@code lock} is given. */
        public Request {
            Objects.requireNonNull(lock, "lock");
        }

        /** A request that takes the run's lock ({@link RunLock.Mode#EXCLUSIVE}). */
        public Request(RunConfig config, Path runDir, Device device, boolean overwrite, TrainingPlan plan) {
            this(config, runDir, device, overwrite, plan, RunLock.Mode.EXCLUSIVE);
        }

        /** Regular training over the whole budget of {@code config} into a new {@code runDir}, on the default device. */
        public static Request of(RunConfig config, Path runDir) {
            return new Request(config, runDir, null, false, TrainingPlan.trainOnly(config));
        }
    }

    /**
     * What came out.
     *
     * @param epochs the regular epochs run now (empty when a resumed run had already finished)
     * @param trainSeconds their wall time
     * @param averages the last evaluation of each average kept, by phase (swa, ema)
     * @param twa the TWA result, or null without TWA
     */
    public record Outcome(List<TrainingListener.EpochEvent> epochs, double trainSeconds, Map<String, Evaluation> averages,
            TwaResult twa) {}

    /** The commands whose runs {@link #resume} continues. */
    private static final List<String> RESUMABLE = List.of("train", "finetune", "swa", "demo");

    /**
     * Starts a new run, holding the run's lock as {@code request} says.
     *
     * @throws RunError (input) naming the holder if another process writes the run
     */
    public static Outcome start(Request request, Console console) {
        return start(request, console, Collective.single());
    }

    /**
     * Starts a new run as one rank of a multi-worker run: every rank calls this with the same
     * request; they train data-parallel ({@link Training}), and rank 0 alone creates and writes the
     * run directory (the others see it through {@link RunDirectory#follower}, take no lock and
     * keep no snapshots).
     */
    public static Outcome start(Request request, Console console, Collective collective) {
        return run(request, false, console, collective);
    }

    /**
     * Continues the run in {@code runDir} from its newest intact state, with the settings of its
     * run.json; a run with no state yet starts over. Takes the run's lock.
     *
     * @param device the device, or null for the engine's default
     * @throws RunError (input) naming the holder if another process writes the run
     */
    public static Outcome resume(Path runDir, Device device, Console console) {
        return resume(runDir, device, RunLock.Mode.EXCLUSIVE, console);
    }

    /** {@link #resume(Path, Device, Console)}, holding the run's lock as {@code lock} says. */
    public static Outcome resume(Path runDir, Device device, RunLock.Mode lock, Console console) {
        return resume(runDir, device, lock, console, Collective.single());
    }

    /** {@link #resume(Path, Device, RunLock.Mode, Console)} as one rank of a multi-worker run (see {@link #start(Request, Console, Collective)}). */
    public static Outcome resume(Path runDir, Device device, RunLock.Mode lock, Console console, Collective collective) {
        RunConfig config = RunDirectory.open(runDir).readConfig();
        if (!RESUMABLE.contains(config.command())) {
            throw RunError.input("run " + runDir + " was made by '" + config.command() + "', which cannot be resumed");
        }
        return run(new Request(config, runDir, device, false, TrainingPlan.trainOnly(config), lock), true, console, collective);
    }

    private static Outcome run(Request request, boolean resume, Console console, Collective collective) {
        RunConfig config = request.config();
        Device device = request.device() == null ? Engine.getInstance().defaultDevice() : request.device();
        boolean leader = collective.isLeader();
        try (Workspace workspace = Workspace.open(config, device, collective)) {
            // load the data before touching the run directory, so a missing dataset leaves nothing behind
            BatchSource train = workspace.trainBatches();
            BatchSource test = workspace.testBatches();
            int perEpoch = config.snapshots().snapshotsPerEpoch();
            if (perEpoch > train.batchesPerEpoch()) {
                throw RunError.settings("--snapshots-per-epoch " + perEpoch + " is more than the " + train.batchesPerEpoch()
                        + " steps of an epoch");
            }
            workspace.loadInitialWeights(); // a fine-tuning run starts from given weights (a resumed one then from its state)
            if (!resume && leader) {
                requireRoom(request, workspace);
            }
            try (RunLock held = leader ? lock(request, resume, console) : null) {
                RunDirectory run = leader ? prepare(request, resume) : RunDirectory.follower(request.runDir());
                console.out().printf(Locale.ROOT, "%s %s on %s (%d train / %d test examples, %d steps per epoch) on %s in %s%n",
                        resume ? "resuming" : "training", config.model().model(), config.data().data(), train.size(), test.size(),
                        train.batchesPerEpoch(), device, request.runDir());
                Training training = new Training(workspace, run, request.plan(), train, test, console);
                Outcome outcome = training(training, request, resume);
                collective.barrier(); // when the job returns on any rank, rank 0 has written the run
                return outcome;
            }
        }
    }

    /** Checks that the file system has room for the new run. */
    private static void requireRoom(Request request, Workspace workspace) {
        TrainingPlan plan = request.plan();
        DiskSpace.require(request.runDir(), request.overwrite(), DiskSpace.estimate(workspace.block(), request.config(),
                plan.keepSnapshots() ? plan.snapshots(request.config()) : 0, plan.twa() == null ? null : plan.twa().name()));
    }

    /**
     * The run's lock, taken before anything in the run directory changes (before --overwrite
     * deletes). A directory that is not a run (no lock file, not empty) and that {@link
     * RunDirectory#create} would refuse is refused first, so that no lock file is left in it.
     */
    private static RunLock lock(Request request, boolean resume, Console console) {
        Path root = request.runDir();
        if (resume) {
            RunDirectory.open(root);
        } else if (!Files.exists(root.resolve(RunLock.FILE))) {
            RunDirectory.checkNew(root, request.overwrite());
        }
        String command = "twa4j " + request.config().command() + (resume ? " --resume"
                : request.overwrite() && !"demo".equals(request.config().command()) ? " --overwrite" : "");
        return RunLock.take(root, command, request.lock(), console);
    }

    /** Creates (or, resuming, opens) the run directory, under the run's lock. */
    private static RunDirectory prepare(Request request, boolean resume) {
        if (resume) {
            return RunDirectory.open(request.runDir());
        }
        RunDirectory run = RunDirectory.create(request.runDir(), request.overwrite());
        run.writeConfig(request.config());
        return run;
    }

    /** The training with its snapshot sinks (files, and the in-memory basis before TWA), then TWA if planned. */
    private static Outcome training(Training training, Request request, boolean resume) {
        TrainingPlan plan = request.plan();
        RunDirectory run = training.run();
        StateStore.Saved saved = resume ? RunState.latest(run, training.console().out()) : null;
        List<SnapshotRecorder.Sink> sinks = new ArrayList<>();
        SnapshotStore store = null;
        if (plan.keepSnapshots() && run.writes()) {
            store = resume && SnapshotStore.exists(run.root()) ? SnapshotStore.open(run.root()) : SnapshotStore.create(run.root());
            sinks.add(SnapshotRecorder.into(store, ParameterLayout.all(training.workspace().block())));
        }
        TwaSettings twa = plan.twa();
        try (BlockBasis basis = twa == null ? null : BlockBasis.empty(Blocks.of(ParameterLayout.trainable(training.workspace().block()),
                twa.coefficients(), "coefficients"), training.workspace().manager(), plan.snapshots(request.config()), twa.tolerance(),
                twa.encoding(), Collective.single())) {
            BasisSink basisSink = basis == null ? null : new BasisSink(basis, training.workspace().manager());
            if (basisSink != null) {
                sinks.add(basisSink);
            }
            long started = System.nanoTime();
            // --twa-after keeps its basis in memory only: such a run keeps no states
            Training.Trained trained = training.train(store, sinks, basis == null, saved, resume);
            double trainSeconds = (System.nanoTime() - started) / 1e9;
            if (!report(training, trained.epochs(), trainSeconds, store) || basis == null) {
                return new Outcome(trained.epochs(), trainSeconds, trained.averages(), null);
            }
            TwaResult result = twaAfter(training, basis, basisSink.taken(), request.overwrite());
            return new Outcome(trained.epochs(), trainSeconds, trained.averages(), result);
        }
    }

    /** Prints what the training did; false when it had nothing left to do. */
    private static boolean report(Training training, List<TrainingListener.EpochEvent> epochs, double seconds, SnapshotStore store) {
        if (epochs.isEmpty()) {
            training.console().out().printf(Locale.ROOT, "the run had already finished all %d epochs%n", training.plan().trainEpochs());
            return false;
        }
        TrainingListener.EpochEvent last = epochs.get(epochs.size() - 1);
        training.console().out().printf(Locale.ROOT, "trained %d epochs in %.1f s: test accuracy %.4f%s%n", last.epoch(), seconds,
                last.test().top1(), store == null ? "" : "; " + store.size() + " snapshots in " + store.directory());
        return true;
    }

    /** TWA on the basis grown during training, from the mean of its snapshots or the planned start. */
    private static TwaResult twaAfter(Training training, BlockBasis basis, List<SnapshotMeta> taken, boolean overwrite) {
        int steps = training.train().batchesPerEpoch();
        List<SnapshotPoint> points = new ArrayList<>();
        for (int i = 0; i < taken.size(); i++) {
            points.add(new SnapshotPoint(i, taken.get(i).epoch() + (double) taken.get(i).step() / steps));
        }
        TwaSettings settings = training.plan().twa();
        double[] start = settings.trainStart() == -1 ? basis.coordinatesOfMean() : basis.coordinatesOf(settings.trainStart());
        Twa twa = new Twa(basis, points, start, settings, 0, Twa.States.NONE);
        return new MethodContext(training.workspace(), training.run(), training.console(), overwrite).execute(twa);
    }
}
