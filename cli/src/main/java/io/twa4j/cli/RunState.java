package io.twa4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.average.AveragedModel;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotMeta;
import io.twa4j.core.snapshot.SnapshotRecorder;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resumable state of a training run ({@code train}, {@code swa}), saved into {@code RUN/state/}
 * with every snapshot and when the run is stopped by a signal: every parameter, the SGD momentum
 * buffers, the SWA and EMA averages with their counts, the position in the run with the epoch's
 * running totals, and how many snapshots and metrics bytes belong to it. Data order and
 * augmentation are functions of (seed, epoch) and the engine is reseeded from (seed, step) before
 * every step, so the position is the whole random state.
 *
 * <p>As a listener it must come before the {@link SnapshotRecorder} whose sink it is, so that it
 * knows the totals of the step a snapshot is taken after; the averages must come before both.
 */
final class RunState implements TrainingListener, SnapshotRecorder.Sink {

    static final String DIRECTORY = "state";
    private static final String WEIGHTS = "weights/";
    private static final String MOMENTUM = "momentum/";

    private final StateStore states;
    private final ParameterLayout all;
    private final ParameterLayout trainable;
    private final SgdUpdate sgd;
    private final Map<String, AveragedModel> averages;
    private final SnapshotStore snapshots;
    private final RunDirectory run;
    private final NDManager manager;
    private StepEvent lastStep;

    RunState(RunDirectory run, Workspace workspace, SgdUpdate sgd, Map<String, AveragedModel> averages, SnapshotStore snapshots) {
        this.states = new StateStore(run.resolve(DIRECTORY));
        this.all = ParameterLayout.all(workspace.block());
        this.trainable = ParameterLayout.trainable(workspace.block());
        this.sgd = sgd;
        this.averages = averages;
        this.snapshots = snapshots;
        this.run = run;
        this.manager = workspace.manager();
    }

    @Override
    public void onStep(StepEvent step) {
        lastStep = step;
    }

    @Override
    public void snapshot(int ordinal, SnapshotMeta meta) {
        boolean midEpoch = meta.step() > 0;
        if (midEpoch && (lastStep == null || lastStep.step() + 1 != meta.step())) {
            throw new IllegalStateException("RunState must listen before the SnapshotRecorder");
        }
        save(meta.epoch(), meta.step(), midEpoch ? lastStep : null);
    }

    @Override
    public void onStop(StepEvent last) {
        save(last.epoch(), last.step() + 1, last);
    }

    private void save(int epoch, int step, StepEvent totals) {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            all.arraysByName().forEach((name, array) -> tensors.put(WEIGHTS + name, array));
            List<NDArray> buffers = sgd.buffers();
            for (int i = 0; i < buffers.size(); i++) {
                tensors.put(MOMENTUM + trainable.entries().get(i).name(), buffers.get(i));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("epoch", Integer.toString(epoch));
            metadata.put("step", Integer.toString(step));
            metadata.put("loss_sum", Double.toString(totals == null ? 0 : totals.lossSum()));
            metadata.put("correct", Long.toString(totals == null ? 0 : totals.correct()));
            metadata.put("seen", Long.toString(totals == null ? 0 : totals.seen()));
            metadata.put("snapshots", Integer.toString(snapshots == null ? 0 : snapshots.size()));
            metadata.put("metrics_bytes", Long.toString(run.metricsBytes()));
            for (Map.Entry<String, AveragedModel> average : averages.entrySet()) {
                if (average.getValue().count() > 0) {
                    tensors.put(average.getKey() + "/average", average.getValue().average(scope));
                    metadata.put(average.getKey() + "_count", Long.toString(average.getValue().count()));
                }
            }
            // an epoch's end (epoch e, step 0) sorts after a stop at the last step of epoch e - 1
            long position = (long) epoch * 1_000_000_000L + step;
            states.save(2 * position + (step == 0 ? 1 : 0), tensors, metadata);
        }
    }

    /** A state read back for resuming: where to continue and what to put back. */
    record Restored(TrainingLoop.Position position, int snapshots, long metricsBytes) {}

    /** The newest intact state of {@code run}, or null; damaged newer states are reported on {@code warnings}. */
    static StateStore.Saved latest(RunDirectory run, java.io.PrintStream warnings) {
        StateStore.Latest latest = new StateStore(run.resolve(DIRECTORY)).latest();
        latest.problems().forEach(problem -> warnings.println("warning: not resuming from a damaged state: " + problem));
        return latest.state();
    }

    /** Puts {@code state} back into the model, the optimiser and the averages. */
    Restored restore(StateStore.Saved state) {
        states.dropNewerThan(state);
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = states.read(state, scope);
            Map<String, NDArray> weights = new LinkedHashMap<>();
            List<NDArray> buffers = new ArrayList<>();
            for (ParameterLayout.Entry entry : all.entries()) {
                weights.put(entry.name(), tensors.get(WEIGHTS + entry.name()));
            }
            try {
                new FlatParameters(all).write(withoutMissing(weights, state));
            } catch (IllegalArgumentException e) {
                throw UserError.badInput("state " + state.file() + " does not match the run's model: " + e.getMessage());
            }
            for (ParameterLayout.Entry entry : trainable.entries()) {
                NDArray buffer = tensors.get(MOMENTUM + entry.name());
                if (buffer != null) {
                    buffers.add(buffer);
                }
            }
            sgd.restore(buffers);
            for (Map.Entry<String, AveragedModel> average : averages.entrySet()) {
                NDArray values = tensors.get(average.getKey() + "/average");
                if (values != null) {
                    average.getValue().restore(values, state.getLong(average.getKey() + "_count"));
                }
            }
        }
        int epoch = (int) state.getLong("epoch");
        int step = (int) state.getLong("step");
        TrainingLoop.Position position = new TrainingLoop.Position(epoch, step, state.getDouble("loss_sum"),
                state.getLong("correct"), state.getLong("seen"), true);
        return new Restored(position, (int) state.getLong("snapshots"), state.getLong("metrics_bytes"));
    }

    private static Map<String, NDArray> withoutMissing(Map<String, NDArray> weights, StateStore.Saved state) {
        weights.forEach((name, value) -> {
            if (value == null) {
                throw UserError.badInput("state " + state.file() + " lacks parameter " + name);
            }
        });
        return weights;
    }
}
