package io.twa4j.cli;

import ai.djl.Device;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.snapshot.SnapshotMeta;
import io.twa4j.core.snapshot.SnapshotRecorder;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.BasisSink;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** What came out: the regular epochs, their wall time, and the TWA result (null without TWA). */
    record Outcome(List<TrainingListener.EpochEvent> epochs, double trainSeconds, TwaRunner.Result twa) {}

    static Outcome run(RunConfig config, Device device, Path runDir, boolean overwrite, Plan plan, PrintStream out) {
        try (Workspace workspace = Workspace.open(config, device)) {
            // load the data before touching the run directory, so a missing dataset leaves nothing behind
            BatchSource train = workspace.trainBatches();
            BatchSource test = workspace.testBatches();
            if (config.snapshotsPerEpoch() > train.batchesPerEpoch()) {
                throw UserError.usage("--snapshots-per-epoch " + config.snapshotsPerEpoch() + " is more than the "
                        + train.batchesPerEpoch() + " steps of an epoch");
            }
            RunDirectory run = RunDirectory.create(runDir, overwrite);
            run.writeConfig(config);
            out.printf(Locale.ROOT, "training %s on %s (%d train / %d test examples, %d steps per epoch) on %s into %s%n",
                    config.model(), config.data(), train.size(), test.size(), train.batchesPerEpoch(), device, runDir);

            List<SnapshotRecorder.Sink> sinks = new ArrayList<>();
            SnapshotStore store = null;
            if (plan.keepSnapshots()) {
                store = SnapshotStore.create(run.root());
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
                List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
                long started = System.nanoTime();
                double[] milestones = config.milestones().stream().mapToDouble(Double::doubleValue).toArray();
                try (SgdUpdate sgd = new SgdUpdate(trainable.layout(), config.momentum(), config.wd())) {
                    TrainingLoop.builder()
                            .setBlock(workspace.block())
                            .setManager(workspace.manager())
                            .setUpdateRule(sgd)
                            .setSchedule(Schedules.byName(config.schedule(), config.lr(), config.epochs(), milestones))
                            .addListener(new MetricsListener(run, "train"))
                            .addListener(new SnapshotRecorder(config.snapshotsPerEpoch(), sinks))
                            .addListener(ProgressListener.forConsole("train"))
                            .addListener(new TrainingListener() {
                                @Override
                                public void onEpochEnd(EpochEvent epoch) {
                                    epochs.add(epoch);
                                }
                            })
                            .build()
                            .run(train, test, 0, plan.trainEpochs());
                }
                double trainSeconds = (System.nanoTime() - started) / 1e9;
                TrainingListener.EpochEvent last = epochs.get(epochs.size() - 1);
                out.printf(Locale.ROOT, "trained %d epochs in %.1f s: test accuracy %.4f%s%n", last.epoch(), trainSeconds,
                        last.test().top1(), store == null ? "" : "; " + store.size() + " snapshots in " + store.directory());
                if (basis == null) {
                    return new Outcome(epochs, trainSeconds, null);
                }
                List<TwaRunner.SnapshotPoint> points = new ArrayList<>();
                List<SnapshotMeta> taken = basisSink.taken();
                for (int i = 0; i < taken.size(); i++) {
                    points.add(new TwaRunner.SnapshotPoint(i, taken.get(i).epoch() + (double) taken.get(i).step() / train.batchesPerEpoch()));
                }
                int trainStart = plan.twa().trainStart();
                double[] start = trainStart == -1 ? basis.coordinatesOfMean() : basis.coordinatesOf(trainStart);
                TwaRunner.Result twa = TwaRunner.run(workspace, run, basis, points, start, plan.twa(), 0, overwrite, out);
                return new Outcome(epochs, trainSeconds, twa);
            }
        }
    }
}
