package io.twa4j.run.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.SubspaceSgd;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.core.io.Json;
import io.twa4j.run.state.ResumePoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resumable state of a TWA run, in {@code RUN/state/twa-NAME/}, saved after every TWA epoch
 * and when stopped by a signal: every parameter (BatchNorm statistics move during TWA too), the
 * coefficients and their momentum buffer in float64, the position with the epoch's running totals,
 * the baseline's evaluation (so a resumed run does not redo it) and the settings it ran with.
 * Removed when the result is in place.
 */
public final class TwaState extends ResumePoint {

    private SubspaceSgd sgd;
    private final String settings;
    private final boolean baseline;
    private Evaluation average;

    /** The states of the TWA run {@code name} of {@code run}, on {@code workspace}'s model. */
    public TwaState(RunDirectory run, String name, Workspace workspace, TwaSettings settings) {
        super(new StateStore(directory(run, name)), workspace, run);
        this.settings = settingsJson(settings);
        this.baseline = settings.baseline();
    }

    /** Where the states of TWA run {@code name} are kept. */
    public static java.nio.file.Path directory(RunDirectory run, String name) {
        return run.resolve(ResumePoint.DIRECTORY).resolve("twa-" + name);
    }

    /** The settings as one JSON line: a resumed TWA must run with the same. */
    private static String settingsJson(TwaSettings settings) {
        try {
            return Json.COMPACT.writeValueAsString(settings);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The coefficient optimiser whose state is saved and restored. */
    public void attach(SubspaceSgd optimiser) {
        this.sgd = optimiser;
    }

    /** The baseline evaluation to save with each state (null without a baseline). */
    public void baseline(Evaluation evaluation) {
        this.average = evaluation;
    }

    @Override
    public void onEpochEnd(EpochEvent epoch) {
        save(epoch.epoch(), 0, null);
    }

    @Override
    protected void addTo(Map<String, NDArray> tensors, Map<String, String> metadata, NDManager scope) {
        tensors.put("alpha", scope.create(sgd.coefficients()));
        if (sgd.hasStepped()) {
            tensors.put("momentum", scope.create(sgd.momentumBuffer()));
        }
        metadata.put("settings", settings);
        if (average == null) {
            return;
        }
        metadata.put("average_loss", Double.toString(average.loss()));
        metadata.put("average_top1", Double.toString(average.top1()));
        metadata.put("average_top5", Double.toString(average.top5()));
        metadata.put("average_examples", Long.toString(average.examples()));
    }

    /** Restores {@code state} into the model and the coefficients; returns where training continues. */
    public TrainingLoop.Position restore(StateStore.Saved state) {
        if (!settings.equals(state.get("settings"))) {
            throw RunError.settings("the interrupted TWA ran with other settings (" + state.get("settings")
                    + "); resume it with the same flags");
        }
        TrainingLoop.Position position = restoreState(state);
        run().truncateMetrics(state.getLong("metrics_bytes"));
        return position;
    }

    @Override
    protected void restoreFrom(Map<String, NDArray> tensors, StateStore.Saved state) {
        NDArray momentum = tensors.get("momentum");
        sgd.restore(tensors.get("alpha").toDoubleArray(), momentum == null ? null : momentum.toDoubleArray());
        // the settings, checked equal before, say whether the state holds a baseline
        average = !baseline ? null : new Evaluation(state.getDouble("average_loss"), state.getDouble("average_top1"),
                state.getDouble("average_top5"), state.getLong("average_examples"));
    }

    /** The baseline evaluation (restored when resuming), or null without a baseline. */
    public Evaluation average() {
        return average;
    }

    /** Deletes the states (the result is in place). */
    public void clear() {
        if (!run().writes()) {
            return; // another rank keeps the run's states
        }
        states().clear();
        try {
            java.nio.file.Files.deleteIfExists(states().directory());
        } catch (java.io.IOException e) {
            // a leftover empty directory is harmless
        }
    }
}
