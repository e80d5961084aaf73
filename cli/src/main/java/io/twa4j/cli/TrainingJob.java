package io.twa4j.cli;

import ai.djl.Device;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotMeta;
import io.twa4j.core.snapshot.SnapshotRecorder;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.average.AveragedModel;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingStoppedException;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.BasisSink;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Regular training from a {@link RunConfig}, optionally stopped early and followed by TWA on an
 * in-memory basis: what {@code train} and {@code demo} share.
 */
final class TrainingJob {
    private TrainingJob() {}

    /**
     * What to do after setting up the run.
     *
     * @param trainEpochs epochs of regular training (≤ the config's budget, whose schedule they follow)
     * @param keepSnapshots whether snapshot files are written
     * @param twa TWA settings to run on the snapshots afterwards, or null for none
     */
    record Plan(int trainEpochs, boolean keepSnapshots, TwaSettings twa) {
        static Plan trainOnly(RunConfig config) {
            return new Plan(config.epochs(), true, null);
        }
    }

    /**
     * What came out: the regular epochs, their wall time, the last evaluation of each average kept
     * (by phase: swa, ema) and the TWA result (null without TWA).
     */
    record Outcome(List<TrainingListener.EpochEvent> epochs, double trainSeconds, Map<String, Evaluation> averages,
            TwaRunner.Result twa) {}

    /** Starts a new run in {@code runDir} (replacing its contents with {@code overwrite}). */
    static Outcome run(RunConfig config, Device device, Path runDir, boolean overwrite, Plan plan, PrintStream out) {
        return run(config, device, runDir, overwrite, false, plan, out);
    }

    /**
     * Continues the run in {@code runDir} from its newest intact state, with the settings of its
     * run.json; a run with no state yet starts over.
     */
    static Outcome resume(Path runDir, Device device, PrintStream out) {
        RunConfig config = RunDirectory.open(runDir).readConfig();
        if (!RESUMABLE.contains(config.command())) {
            throw UserError.badInput("run " + runDir + " was made by '" + config.command() + "', which cannot be resumed");
        }
        return run(config, device, runDir, false, true, Plan.trainOnly(config), out);
    }

    /** The commands whose runs {@link #resume} continues. */
    private static final List<String> RESUMABLE = List.of("train", "swa", "demo");

    private static Outcome run(RunConfig config, Device device, Path runDir, boolean overwrite, boolean resume, Plan plan,
            PrintStream out) {
        try (Workspace workspace = Workspace.open(config, device)) {
            // load the data before touching the run directory, so a missing dataset leaves nothing behind
            BatchSource train = workspace.trainBatches();
            BatchSource test = workspace.testBatches();
            if (config.snapshotsPerEpoch() > train.batchesPerEpoch()) {
                throw UserError.usage("--snapshots-per-epoch " + config.snapshotsPerEpoch() + " is more than the "
                        + train.batchesPerEpoch() + " steps of an epoch");
            }
            if (!resume) {
                DiskSpace.require(runDir, overwrite, workspace.block(), config, plan);
            }
            RunDirectory run = resume ? RunDirectory.open(runDir) : RunDirectory.create(runDir, overwrite);
            if (!resume) {
                run.writeConfig(config);
            }
            StateStore.Saved saved = resume ? RunState.latest(run, out) : null;
            out.printf(Locale.ROOT, "%s %s on %s (%d train / %d test examples, %d steps per epoch) on %s in %s%n",
                    resume ? "resuming" : "training", config.model(), config.data(), train.size(), test.size(),
                    train.batchesPerEpoch(), device, runDir);

            List<SnapshotRecorder.Sink> sinks = new ArrayList<>();
            SnapshotStore store = null;
            if (plan.keepSnapshots()) {
                store = resume && SnapshotStore.exists(run.root()) ? SnapshotStore.open(run.root()) : SnapshotStore.create(run.root());
                sinks.add(SnapshotRecorder.into(store, ParameterLayout.all(workspace.block())));
            }
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(workspace.block()));
            int snapshots = plan.trainEpochs() * config.snapshotsPerEpoch() + 1;
            try (Basis basis = plan.twa() == null ? null
                    : new Basis(workspace.manager(), trainable.size(), snapshots, plan.twa().tolerance(), plan.twa().storage())) {
                BasisSink basisSink = basis == null ? null : new BasisSink(basis, trainable, workspace.manager());
                if (basisSink != null) {
                    sinks.add(basisSink);
                }
                long started = System.nanoTime();
                Setup setup = new Setup(workspace, run, config, plan, train, test, runDir, out);
                // --twa-after keeps its basis in memory only: such a run keeps no states
                Trained trained = train(setup, store, sinks, basis == null, saved, resume);
                List<TrainingListener.EpochEvent> epochs = trained.epochs();
                Map<String, Evaluation> averages = trained.averages();
                double trainSeconds = (System.nanoTime() - started) / 1e9;
                if (epochs.isEmpty()) {
                    out.printf(Locale.ROOT, "the run had already finished all %d epochs%n", plan.trainEpochs());
                    return new Outcome(epochs, trainSeconds, averages, null);
                }
                TrainingListener.EpochEvent last = epochs.get(epochs.size() - 1);
                out.printf(Locale.ROOT, "trained %d epochs in %.1f s: test accuracy %.4f%s%n", last.epoch(), trainSeconds,
                        last.test().top1(), store == null ? "" : "; " + store.size() + " snapshots in " + store.directory());
                if (basis == null) {
                    return new Outcome(epochs, trainSeconds, averages, null);
                }
                List<TwaRunner.SnapshotPoint> points = new ArrayList<>();
                List<SnapshotMeta> taken = basisSink.taken();
                for (int i = 0; i < taken.size(); i++) {
                    points.add(new TwaRunner.SnapshotPoint(i, taken.get(i).epoch() + (double) taken.get(i).step() / train.batchesPerEpoch()));
                }
                int trainStart = plan.twa().trainStart();
                double[] start = trainStart == -1 ? basis.coordinatesOfMean() : basis.coordinatesOf(trainStart);
                TwaRunner.Result twa = TwaRunner.run(workspace, run, basis, points, start, plan.twa(), 0, overwrite, TwaRunner.Resume.NONE, out);
                return new Outcome(epochs, trainSeconds, averages, twa);
            }
        }
    }

    /** What a job works with, once its model, data and run directory are ready. */
    private record Setup(Workspace workspace, RunDirectory run, RunConfig config, Plan plan, BatchSource train, BatchSource test,
            Path runDir, PrintStream out) {}

    /** The regular epochs and the last evaluation of each average. */
    private record Trained(List<TrainingListener.EpochEvent> epochs, Map<String, Evaluation> averages) {}

    /**
     * The training itself: SGD with the schedule, the averages, the snapshot sinks and (when
     * {@code resumable}) the run's states; continues from {@code saved} when resuming.
     */
    private static Trained train(Setup setup, SnapshotStore store, List<SnapshotRecorder.Sink> sinks, boolean resumable,
            StateStore.Saved saved, boolean resume) {
        Workspace workspace = setup.workspace();
        RunDirectory run = setup.run();
        RunConfig config = setup.config();
        Plan plan = setup.plan();
        BatchSource train = setup.train();
        BatchSource test = setup.test();
        PrintStream out = setup.out();
        FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(workspace.block()));
        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        Map<String, Evaluation> averages = new LinkedHashMap<>();
        List<AveragePhase> phases = new ArrayList<>();
        try (SgdUpdate sgd = new SgdUpdate(trainable.layout(), config.momentum(), config.wd())) {
            if (config.swa() != null) {
                phases.add(AveragePhase.swa(config.swa(), workspace, run, train, test, plan.trainEpochs(), out));
            }
            if (config.ema() != null) {
                phases.add(AveragePhase.ema(config.ema(), workspace, run, train, test, plan.trainEpochs(), out));
            }
            Map<String, AveragedModel> averaged = new LinkedHashMap<>();
            phases.forEach(phase -> averaged.put(phase.phase(), phase.average()));
            RunState state = resumable ? new RunState(run, workspace, sgd, averaged, store) : null;
            TrainingLoop.Position from = TrainingLoop.Position.at(0);
            if (resume) {
                from = restore(state, saved, store, run, out);
            }
            if (state != null) {
                sinks.add(state);
            }
            TrainingLoop.Builder loop = TrainingLoop.builder()
                    .setBlock(workspace.block())
                    .setManager(workspace.manager())
                    .setUpdateRule(sgd)
                    .setSchedule(config.lrSchedule())
                    .optStepSeed(config.seed())
                    .addListener(new MetricsListener(run, "train"))
                    .addListener(ProgressListener.forConsole("train"));
            phases.forEach(loop::addListener);
            if (state != null) {
                loop.addListener(state).optStopRequest(StopSignals.install());
            }
            loop.addListener(new SnapshotRecorder(config.snapshotsPerEpoch(), sinks, store == null ? 0 : store.size()))
                    .addListener(new TrainingListener() {
                        @Override
                        public void onEpochEnd(EpochEvent epoch) {
                            epochs.add(epoch);
                        }
                    });
            try {
                loop.build().run(train, test, from, plan.trainEpochs());
            } catch (TrainingStoppedException e) {
                throw new UserError(ExitCode.STOPPED, e.getMessage() + "; the state is saved in " + run.resolve(RunState.DIRECTORY)
                        + "; continue with: twa4j " + config.command() + " --run " + setup.runDir() + " --resume");
            }
            for (AveragePhase phase : phases) {
                if (phase.lastEvaluation() != null) {
                    averages.put(phase.phase(), phase.lastEvaluation());
                }
            }
        } finally {
            phases.forEach(AveragePhase::close);
        }
        return new Trained(epochs, averages);
    }

    /** Puts the run back to {@code saved} (or to its start when null) and returns where training continues. */
    private static TrainingLoop.Position restore(RunState state, StateStore.Saved saved, SnapshotStore store, RunDirectory run,
            PrintStream out) {
        if (saved == null) {
            out.println("no saved state yet: starting the run over");
            if (store != null) {
                store.truncate(0);
            }
            run.truncateMetrics(0);
            return TrainingLoop.Position.at(0);
        }
        RunState.Restored restored = state.restore(saved);
        if (store != null) {
            if (store.size() < restored.snapshots()) {
                throw UserError.badInput("the run's state records " + restored.snapshots() + " snapshots, but " + store.directory()
                        + " lists " + store.size());
            }
            store.truncate(restored.snapshots());
        }
        run.truncateMetrics(restored.metricsBytes());
        TrainingLoop.Position from = restored.position();
        out.printf(Locale.ROOT, "continuing at epoch %d, step %d (%d snapshots kept)%n", from.epoch() + 1, from.step(),
                restored.snapshots());
        return from;
    }
}
