package io.twa4j.run.train;

import io.twa4j.core.average.AveragedModel;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.parallel.AllReducedGradients;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotRecorder;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.train.TrainingStoppedException;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.report.MetricsListener;
import io.twa4j.run.state.ResumePoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The regular training of a run, once its model, data and directory are ready: SGD with the
 * schedule, the SWA/EMA averages ({@link AveragePhase}), the snapshot sinks and (when resumable)
 * the run's states ({@link RunState}).
 *
 * @param workspace the model and data
 * @param run the run directory
 * @param plan how many epochs
 * @param train the training batches
 * @param test the test batches
 * @param console messages, progress and the stop request
 */
record Training(Workspace workspace, RunDirectory run, TrainingPlan plan, BatchSource train, BatchSource test, Console console) {

    /** The regular epochs and the last evaluation of each average. */
    record Trained(List<TrainingListener.EpochEvent> epochs, Map<String, Evaluation> averages) {}

    private RunConfig config() {
        return workspace.config();
    }

    /**
     * Trains; continues from {@code saved} when {@code resume} (from the start when it is null).
     *
     * @param resumable whether the run's states are saved (with every snapshot, and when stopped)
     */
    Trained train(SnapshotStore store, List<SnapshotRecorder.Sink> sinks, boolean resumable, StateStore.Saved saved, boolean resume) {
        List<TrainingListener.EpochEvent> epochs = new ArrayList<>();
        List<AveragePhase> phases = averagePhases();
        ParameterLayout trainable = ParameterLayout.trainable(workspace.block());
        try (SgdUpdate sgd = new SgdUpdate(trainable, config().optimizer().momentum(), config().optimizer().wd())) {
            Map<String, AveragedModel> averaged = new LinkedHashMap<>();
            phases.forEach(phase -> averaged.put(phase.phase(), phase.average()));
            RunState state = resumable ? new RunState(run, workspace, sgd, averaged, store) : null;
            TrainingLoop.Position from = resume ? restore(state, saved, store) : TrainingLoop.Position.at(0);
            TrainingLoop.Builder loop = loop(sgd, phases, state);
            if (state != null) {
                sinks.add(state);
            }
            loop.addListener(new SnapshotRecorder(config().snapshots().snapshotsPerEpoch(), sinks, store == null ? 0 : store.size()))
                    .addListener(MetricsListener.collecting(epochs));
            try {
                loop.build().run(train, test, from, plan.trainEpochs());
            } catch (TrainingStoppedException e) {
                throw new RunError(RunError.Kind.STOPPED, e.getMessage() + "; the state is saved in "
                        + run.resolve(ResumePoint.DIRECTORY) + "; continue with: twa4j " + config().command() + " --run " + run.root()
                        + " --resume");
            }
            Map<String, Evaluation> averages = new LinkedHashMap<>();
            for (AveragePhase phase : phases) {
                if (phase.lastEvaluation() != null) {
                    averages.put(phase.phase(), phase.lastEvaluation());
                }
            }
            return new Trained(epochs, averages);
        } finally {
            phases.forEach(AveragePhase::close);
        }
    }

    /** The SWA and EMA averages the configuration asks for. */
    private List<AveragePhase> averagePhases() {
        List<AveragePhase> phases = new ArrayList<>();
        if (config().swa() != null) {
            phases.add(AveragePhase.swa(config().swa(), this));
        }
        if (config().ema() != null) {
            phases.add(AveragePhase.ema(config().ema(), this));
        }
        return phases;
    }

    /**
     * The loop with its listeners in the order they must run: metrics, progress, the averages,
     * then the state (it must hear a step before the snapshot recorder the caller adds last).
     */
    private TrainingLoop.Builder loop(SgdUpdate sgd, List<AveragePhase> phases, RunState state) {
        TrainingLoop.Builder loop = TrainingLoop.builder()
                .setBlock(workspace.block())
                .setManager(workspace.manager())
                .setUpdateRule(new AllReducedGradients(new FlatParameters(sgd.layout()), workspace.collective(), sgd))
                .setSchedule(config().lrSchedule())
                .optCollective(workspace.collective())
                .optStepSeed(config().seed())
                .optLabelSmoothing(config().optimizer().labelSmoothing())
                .addListener(new MetricsListener(run, "train", workspace.heldOutEvaluation()))
                .addListener(console.progress().listener("train"));
        phases.forEach(loop::addListener);
        if (state != null) {
            loop.addListener(state).optStopRequest(console.stopRequest());
        }
        return loop;
    }

    /** Puts the run back to {@code saved} (or to its start when null) and returns where training continues. */
    private TrainingLoop.Position restore(RunState state, StateStore.Saved saved, SnapshotStore store) {
        if (saved == null) {
            console.out().println("no saved state yet: starting the run over");
            if (store != null) {
                store.truncate(0);
            }
            run.truncateMetrics(0);
            return TrainingLoop.Position.at(0);
        }
        RunState.Restored restored = state.restore(saved);
        if (store != null) {
            if (store.size() < restored.snapshots()) {
                throw RunError.input("the run's state records " + restored.snapshots() + " snapshots, but " + store.directory()
                        + " lists " + store.size());
            }
            store.truncate(restored.snapshots());
        }
        run.truncateMetrics(restored.metricsBytes());
        TrainingLoop.Position from = restored.position();
        console.out().printf(Locale.ROOT, "continuing at epoch %d, step %d (%d snapshots kept)%n", from.epoch() + 1, from.step(),
                restored.snapshots());
        return from;
    }
}
