package io.twa4j.run.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.snapshot.StateStore;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the resumable states of a training run ({@code RunState}) and of a TWA run ({@code
 * TwaState}) share: every parameter of the model under {@code weights/NAME}, and the position in
 * the run (epoch, step, the epoch's running totals, the bytes of metrics.jsonl written) in the
 * metadata, from which the state's sequence number follows. A subclass adds its optimiser's and
 * averages' state ({@link #addTo}) and puts it back ({@link #restoreFrom}); a state is saved when
 * the loop is stopped ({@link #onStop}) and whenever the subclass calls {@link #save}.
 */
public abstract class ResumePoint implements TrainingListener {

    /** The directory of a run's states, {@code RUN/state/} (a TWA's in {@code RUN/state/twa-NAME/}). */
    public static final String DIRECTORY = "state";

    private static final String WEIGHTS = "weights/";

    private final StateStore states;
    private final ParameterLayout all;
    private final RunDirectory run;
    private final NDManager manager;

    /** The states in {@code states} of {@code workspace}'s model, in {@code run}. */
    protected ResumePoint(StateStore states, Workspace workspace, RunDirectory run) {
        this.states = states;
        this.all = ParameterLayout.all(workspace.block());
        this.run = run;
        this.manager = workspace.manager();
    }

    /** The store of the states. */
    protected final StateStore states() {
        return states;
    }

    /** The run the states belong to. */
    protected final RunDirectory run() {
        return run;
    }

    /** Adds what the subclass keeps (optimiser buffers, averages, counters) to a state being saved. */
    protected abstract void addTo(Map<String, NDArray> tensors, Map<String, String> metadata, NDManager scope);

    /** Puts back what {@link #addTo} saved, from the tensors of {@code state} (the weights are back already). */
    protected abstract void restoreFrom(Map<String, NDArray> tensors, StateStore.Saved state);

    @Override
    public void onStop(StepEvent last) {
        save(last.epoch(), last.step() + 1, last);
    }

    /**
     * Saves the state after {@code step} steps of epoch {@code epoch} (step 0: the epoch's start),
     * with the epoch's totals so far ({@code totals} null when there are none).
     */
    protected final void save(int epoch, int step, StepEvent totals) {
        if (!run.writes()) {
            return; // another rank keeps the run's states
        }
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            all.arraysByName().forEach((name, array) -> tensors.put(WEIGHTS + name, array));
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("epoch", Integer.toString(epoch));
            metadata.put("step", Integer.toString(step));
            metadata.put("loss_sum", Double.toString(totals == null ? 0 : totals.lossSum()));
            metadata.put("correct", Long.toString(totals == null ? 0 : totals.correct()));
            metadata.put("seen", Long.toString(totals == null ? 0 : totals.seen()));
            metadata.put("metrics_bytes", Long.toString(run.metricsBytes()));
            addTo(tensors, metadata, scope);
            // an epoch's end (epoch e, step 0) sorts after a stop at the last step of epoch e - 1
            states.save(2 * (epoch * 1_000_000_000L + step) + (step == 0 ? 1 : 0), tensors, metadata);
        }
    }

    /**
     * Puts {@code state} back: drops newer (damaged) states, writes every parameter into the
     * model, then {@link #restoreFrom}; returns the position training continues from.
     */
    protected final TrainingLoop.Position restoreState(StateStore.Saved state) {
        if (run.writes()) {
            states.dropNewerThan(state);
        }
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = states.read(state, scope);
            restoreWeights(tensors, state);
            restoreFrom(tensors, state);
        }
        return new TrainingLoop.Position((int) state.getLong("epoch"), (int) state.getLong("step"), state.getDouble("loss_sum"),
                state.getLong("correct"), state.getLong("seen"), true);
    }

    private void restoreWeights(Map<String, NDArray> tensors, StateStore.Saved state) {
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (ParameterLayout.Entry entry : all.entries()) {
            NDArray value = tensors.get(WEIGHTS + entry.name());
            if (value == null) {
                throw RunError.input("state " + state.file() + " lacks parameter " + entry.name());
            }
            weights.put(entry.name(), value);
        }
        try {
            new FlatParameters(all).write(weights);
        } catch (IllegalArgumentException e) {
            throw RunError.input("state " + state.file() + " does not match the run's model: " + e.getMessage());
        }
    }

    /** The newest intact state, or null; damaged newer ones are reported on {@code warnings}. */
    public final StateStore.Saved latest(PrintStream warnings) {
        return latest(states, warnings);
    }

    /** The newest intact state in {@code states}, or null; damaged newer ones are reported on {@code warnings}. */
    public static StateStore.Saved latest(StateStore states, PrintStream warnings) {
        StateStore.Latest latest = states.latest();
        latest.problems().forEach(problem -> warnings.println("warning: not resuming from a damaged state: " + problem));
        return latest.state();
    }
}
