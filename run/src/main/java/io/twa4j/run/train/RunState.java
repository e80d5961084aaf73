package io.twa4j.run.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.average.AveragedModel;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.SnapshotMeta;
import io.twa4j.core.snapshot.SnapshotRecorder;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.run.state.ResumePoint;
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
final class RunState extends ResumePoint implements SnapshotRecorder.Sink {

    private static final String MOMENTUM = "momentum/";

    private final ParameterLayout trainable;
    private final SgdUpdate sgd;
    private final Map<String, AveragedModel> averages;
    private final SnapshotStore snapshots;
    private StepEvent lastStep;

    RunState(RunDirectory run, Workspace workspace, SgdUpdate sgd, Map<String, AveragedModel> averages, SnapshotStore snapshots) {
        super(new StateStore(run.resolve(ResumePoint.DIRECTORY)), workspace, run);
        this.trainable = ParameterLayout.trainable(workspace.block());
        this.sgd = sgd;
        this.averages = averages;
        this.snapshots = snapshots;
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
    protected void addTo(Map<String, NDArray> tensors, Map<String, String> metadata, NDManager scope) {
        List<NDArray> buffers = sgd.buffers();
        for (int i = 0; i < buffers.size(); i++) {
            tensors.put(MOMENTUM + trainable.entries().get(i).name(), buffers.get(i));
        }
        metadata.put("snapshots", Integer.toString(snapshots == null ? 0 : snapshots.size()));
        for (Map.Entry<String, AveragedModel> average : averages.entrySet()) {
            if (average.getValue().count() > 0) {
                tensors.put(average.getKey() + "/average", average.getValue().average(scope));
                metadata.put(average.getKey() + "_count", Long.toString(average.getValue().count()));
            }
        }
    }

    /** A state read back for resuming: where to continue and what to put back. */
    record Restored(TrainingLoop.Position position, int snapshots, long metricsBytes) {}

    /** The newest intact state of {@code run}, or null; damaged newer states are reported on {@code warnings}. */
    static StateStore.Saved latest(RunDirectory run, java.io.PrintStream warnings) {
        return ResumePoint.latest(new StateStore(run.resolve(ResumePoint.DIRECTORY)), warnings);
    }

    /** Puts {@code state} back into the model, the optimiser and the averages. */
    Restored restore(StateStore.Saved state) {
        TrainingLoop.Position position = restoreState(state);
        return new Restored(position, (int) state.getLong("snapshots"), state.getLong("metrics_bytes"));
    }

    @Override
    protected void restoreFrom(Map<String, NDArray> tensors, StateStore.Saved state) {
        List<NDArray> buffers = new ArrayList<>();
        for (ParameterLayout.Entry entry : trainable.entries()) {
            NDArray buffer = tensors.get(MOMENTUM + entry.name());
            if (buffer != null) {
                buffers.add(buffer);
            }
        }
        try {
            sgd.restore(buffers);
        } catch (IllegalArgumentException e) {
            throw RunError.input("state " + state.file() + ": " + e.getMessage());
        }
        for (Map.Entry<String, AveragedModel> average : averages.entrySet()) {
            NDArray values = tensors.get(average.getKey() + "/average");
            if (values != null) {
                average.getValue().restore(values, state.getLong(average.getKey() + "_count"));
            }
        }
    }
}
