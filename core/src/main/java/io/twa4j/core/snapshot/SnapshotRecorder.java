package io.twa4j.core.snapshot;

import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.train.TrainingListener;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps the snapshot history of a training run: snapshot 0 at initialisation, then
 * {@code perEpoch} evenly spaced snapshots per epoch, the last at the epoch's end (after the
 * test evaluation, whose metrics it records).
 */
public final class SnapshotRecorder implements TrainingListener {

    private final SnapshotStore store;
    private final ParameterLayout parameters;
    private final int perEpoch;
    private double lastLr;
    private int stepsPerEpoch;

    /**
     * A recorder writing into {@code store}.
     *
     * @param store where the snapshots go
     * @param parameters what a snapshot holds (usually {@link ParameterLayout#all}, BatchNorm
     *     statistics included)
     * @param perEpoch snapshots per epoch, ≥ 1
     */
    public SnapshotRecorder(SnapshotStore store, ParameterLayout parameters, int perEpoch) {
        if (perEpoch < 1) {
            throw new IllegalArgumentException("snapshots per epoch must be >= 1, got " + perEpoch);
        }
        this.store = store;
        this.parameters = parameters;
        this.perEpoch = perEpoch;
    }

    @Override
    public void onRunStart(RunInfo run) {
        stepsPerEpoch = run.stepsPerEpoch();
        lastLr = run.firstLr();
        if (store.size() == 0) {
            store.add(SnapshotMeta.of(run.firstEpoch(), 0, (long) run.firstEpoch() * stepsPerEpoch, run.firstLr()),
                    parameters.arraysByName());
        }
    }

    @Override
    public void onStep(StepEvent step) {
        lastLr = step.lr();
        int done = step.step() + 1;
        if (step.endsEpoch() || !isIntermediate(done, step.stepsPerEpoch())) {
            return;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss", step.runningLoss());
        store.add(new SnapshotMeta(step.epoch(), done, step.globalStep() + 1, step.lr(), metrics), parameters.arraysByName());
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
        store.add(new SnapshotMeta(epoch.epoch(), 0, (long) epoch.epoch() * stepsPerEpoch, lastLr, metrics),
                parameters.arraysByName());
    }

    /** Whether {@code done} steps into an epoch of {@code steps} is one of the evenly spaced points j·steps/k, 0 < j < k. */
    private boolean isIntermediate(int done, int steps) {
        for (int j = 1; j < perEpoch; j++) {
            if (done == Math.round((double) j * steps / perEpoch)) {
                return true;
            }
        }
        return false;
    }
}
