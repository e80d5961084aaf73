package io.twa4j.cli;

import ai.djl.ndarray.NDArray;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.TrainingListener.StepEvent;
import io.twa4j.core.train.TrainingLoop;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the states of a training run ({@link RunState}) and of a TWA run ({@link TwaState}) share:
 * every parameter of the model under {@code weights/NAME}, and the position in the run (epoch,
 * step, the epoch's running totals, the bytes of metrics.jsonl written) in the metadata, from
 * which the state's sequence number follows.
 */
final class ResumePoint {

    private static final String WEIGHTS = "weights/";

    private ResumePoint() {}

    /** Adds every parameter of {@code all} to {@code tensors}. */
    static void putWeights(Map<String, NDArray> tensors, ParameterLayout all) {
        all.arraysByName().forEach((name, array) -> tensors.put(WEIGHTS + name, array));
    }

    /** Writes the parameters saved in {@code tensors} into the model of {@code all}. */
    static void restoreWeights(Map<String, NDArray> tensors, ParameterLayout all, StateStore.Saved state) {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (ParameterLayout.Entry entry : all.entries()) {
            NDArray value = tensors.get(WEIGHTS + entry.name());
            if (value == null) {
                throw UserError.badInput("state " + state.file() + " lacks parameter " + entry.name());
            }
            weights.put(entry.name(), value);
        }
        try {
            new FlatParameters(all).write(weights);
        } catch (IllegalArgumentException e) {
            throw UserError.badInput("state " + state.file() + " does not match the run's model: " + e.getMessage());
        }
    }

    /**
     * The metadata of the position after {@code step} steps of epoch {@code epoch} (step 0: the
     * epoch's start), with the epoch's totals so far ({@code totals} null when there are none).
     */
    static Map<String, String> metadata(int epoch, int step, StepEvent totals, RunDirectory run) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("epoch", Integer.toString(epoch));
        metadata.put("step", Integer.toString(step));
        metadata.put("loss_sum", Double.toString(totals == null ? 0 : totals.lossSum()));
        metadata.put("correct", Long.toString(totals == null ? 0 : totals.correct()));
        metadata.put("seen", Long.toString(totals == null ? 0 : totals.seen()));
        metadata.put("metrics_bytes", Long.toString(run.metricsBytes()));
        return metadata;
    }

    /** Saves a state whose metadata came from {@link #metadata}, numbered by its position. */
    static void save(StateStore states, Map<String, NDArray> tensors, Map<String, String> metadata) {
        long epoch = Long.parseLong(metadata.get("epoch"));
        long step = Long.parseLong(metadata.get("step"));
        // an epoch's end (epoch e, step 0) sorts after a stop at the last step of epoch e - 1
        states.save(2 * (epoch * 1_000_000_000L + step) + (step == 0 ? 1 : 0), tensors, metadata);
    }

    /** Where a resumed run continues: the saved position, with its totals. */
    static TrainingLoop.Position position(StateStore.Saved state) {
        return new TrainingLoop.Position((int) state.getLong("epoch"), (int) state.getLong("step"), state.getDouble("loss_sum"),
                state.getLong("correct"), state.getLong("seen"), true);
    }

    /** The newest intact state in {@code states}, or null; damaged newer ones are reported on {@code warnings}. */
    static StateStore.Saved latest(StateStore states, PrintStream warnings) {
        StateStore.Latest latest = states.latest();
        latest.problems().forEach(problem -> warnings.println("warning: not resuming from a damaged state: " + problem));
        return latest.state();
    }
}
