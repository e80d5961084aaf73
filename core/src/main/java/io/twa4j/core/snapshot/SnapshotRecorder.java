package io.twa4j.core.snapshot;

import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.train.TrainingListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides when a training run takes a snapshot and hands each to its sinks: snapshot 0 at
 * initialisation, then {@code perEpoch} evenly spaced snapshots per epoch, the last at the
 * epoch's end (after the test evaluation, whose metrics it carries).
 */
public final class SnapshotRecorder implements TrainingListener {

    /** Receives the snapshots; the model's parameters hold the snapshot's values during the call. */
    @FunctionalInterface
    public interface Sink {
        /** Takes the snapshot described by {@code meta} (number {@code ordinal} of this run, from 0). */
        void snapshot(int ordinal, SnapshotMeta meta);
    }

    private final int perEpoch;
    private final List<Sink> sinks;
    private int ordinal;
    private double lastLr;
    private int stepsPerEpoch;

    /** A recorder taking {@code perEpoch} (≥ 1) snapshots per epoch into {@code sinks}. */
    public SnapshotRecorder(int perEpoch, List<Sink> sinks) {
        this(perEpoch, sinks, 0);
    }

    /**
     * A recorder whose first snapshot is number {@code firstOrdinal}: a resumed run continues the
     * numbering (and, being resumed, takes no initial snapshot).
     */
    public SnapshotRecorder(int perEpoch, List<Sink> sinks, int firstOrdinal) {
        if (perEpoch < 1) {
            throw new IllegalArgumentException("snapshots per epoch must be >= 1, got " + perEpoch);
        }
        this.perEpoch = perEpoch;
        this.sinks = List.copyOf(sinks);
        this.ordinal = firstOrdinal;
    }

    /** A sink that writes every parameter of {@code parameters} into {@code store}. */
    public static Sink into(SnapshotStore store, ParameterLayout parameters) {
        return (ordinal, meta) -> store.add(meta, parameters.arraysByName());
    }

    @Override
    public void onRunStart(RunInfo run) {
        stepsPerEpoch = run.stepsPerEpoch();
        lastLr = run.firstLr();
        if (run.resumed()) {
            return;
        }
        take(SnapshotMeta.of(run.firstEpoch(), 0, (long) run.firstEpoch() * stepsPerEpoch, run.firstLr()));
    }

    @Override
    public void onStep(StepEvent step) {
        lastLr = step.lr();
        int done = step.step() + 1;
        if (step.endsEpoch() || !isIntermediate(done, step.stepsPerEpoch())) {
            return;
        }
        take(new SnapshotMeta(step.epoch(), done, step.globalStep() + 1, step.lr(), Map.of("train_loss", step.runningLoss())));
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", epoch.trainLoss());
        metrics.put("train_acc", epoch.trainAcc());
        if (epoch.test() != null) {
            metrics.put("test_loss", epoch.test().loss());
            metrics.put("test_acc", epoch.test().top1());
            if (epoch.test().hasTop5()) {
                metrics.put("test_top5", epoch.test().top5());
            }
        }
        take(new SnapshotMeta(epoch.epoch(), 0, (long) epoch.epoch() * stepsPerEpoch, lastLr, metrics));
    }

    private void take(SnapshotMeta meta) {
        for (Sink sink : sinks) {
            sink.snapshot(ordinal, meta);
        }
        ordinal++;
    }

    /** Whether {@code done} steps into an epoch of {@code steps} is one of the points round(j·steps/k), 0 < j < k. */
    private boolean isIntermediate(int done, int steps) {
        for (int j = 1; j < perEpoch; j++) {
            if (done == Math.round((double) j * steps / perEpoch)) {
                return true;
            }
        }
        return false;
    }
}
