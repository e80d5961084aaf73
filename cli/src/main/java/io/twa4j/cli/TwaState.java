package io.twa4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.SubspaceSgd;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resumable state of a TWA run, in {@code RUN/state/twa-NAME/}, saved after every TWA epoch
 * and when stopped by a signal: every parameter (BatchNorm statistics move during TWA too), the
 * coefficients and their momentum buffer in float64, the position with the epoch's running totals,
 * the baseline's evaluation (so a resumed run does not redo it) and the settings it ran with.
 * Removed when the result is in place.
 */
final class TwaState implements TrainingListener {

    private final StateStore states;
    private final ParameterLayout all;
    private SubspaceSgd sgd;
    private final RunDirectory run;
    private final NDManager manager;
    private final String settings;
    private Evaluation average;

    TwaState(RunDirectory run, String name, Workspace workspace, String settings) {
        this.states = new StateStore(directory(run, name));
        this.all = ParameterLayout.all(workspace.block());
        this.run = run;
        this.manager = workspace.manager();
        this.settings = settings;
    }

    static java.nio.file.Path directory(RunDirectory run, String name) {
        return run.resolve(RunState.DIRECTORY).resolve("twa-" + name);
    }

    /** The coefficient optimiser whose state is saved and restored. */
    void attach(SubspaceSgd optimiser) {
        this.sgd = optimiser;
    }

    /** The baseline evaluation to save with each state. */
    void baseline(Evaluation evaluation) {
        this.average = evaluation;
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
        save(epoch.epoch(), 0, null);
    }

    @Override
    public void onStop(StepEvent last) {
        save(last.epoch(), last.step() + 1, last);
    }

    private void save(int epoch, int step, StepEvent totals) {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            ResumePoint.putWeights(tensors, all);
            tensors.put("alpha", scope.create(sgd.coefficients()));
            if (sgd.hasStepped()) {
                tensors.put("momentum", scope.create(sgd.momentumBuffer()));
            }
            Map<String, String> metadata = ResumePoint.metadata(epoch, step, totals, run);
            metadata.put("settings", settings);
            metadata.put("average_loss", Double.toString(average.loss()));
            metadata.put("average_top1", Double.toString(average.top1()));
            metadata.put("average_top5", Double.toString(average.top5()));
            metadata.put("average_examples", Long.toString(average.examples()));
            ResumePoint.save(states, tensors, metadata);
        }
    }

    /** The newest intact state, or null; damaged newer ones are reported on {@code out}. */
    StateStore.Saved latest(java.io.PrintStream out) {
        return ResumePoint.latest(states, out);
    }

    /** Restores {@code state} into the model and the coefficients; returns where training continues. */
    TrainingLoop.Position restore(StateStore.Saved state) {
        if (!settings.equals(state.get("settings"))) {
            throw UserError.usage("the interrupted TWA ran with other settings (" + state.get("settings")
                    + "); resume it with the same flags");
        }
        states.dropNewerThan(state);
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = states.read(state, scope);
            ResumePoint.restoreWeights(tensors, all, state);
            NDArray momentum = tensors.get("momentum");
            sgd.restore(tensors.get("alpha").toDoubleArray(), momentum == null ? null : momentum.toDoubleArray());
        }
        average = new Evaluation(state.getDouble("average_loss"), state.getDouble("average_top1"),
                state.getDouble("average_top5"), state.getLong("average_examples"));
        run.truncateMetrics(state.getLong("metrics_bytes"));
        return ResumePoint.position(state);
    }

    /** The baseline evaluation (restored when resuming). */
    Evaluation average() {
        return average;
    }

    /** Deletes the states (the result is in place). */
    void clear() {
        states.clear();
        try {
            java.nio.file.Files.deleteIfExists(states.directory());
        } catch (java.io.IOException e) {
            // a leftover empty directory is harmless
        }
    }
}
