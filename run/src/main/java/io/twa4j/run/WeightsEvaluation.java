package io.twa4j.run;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.train.Evaluation;
import java.nio.file.Path;
import java.util.Map;

/**
 * A snapshot or a weights file evaluated on a run's test data, with the run's model, limits and
 * normalisation ({@code twa4j eval}).
 *
 * @param source what was evaluated ("snapshot 3", or the file)
 * @param evaluation its loss and accuracy
 */
public record WeightsEvaluation(String source, Evaluation evaluation) {

    /**
     * Evaluates snapshot {@code index} of the run in {@code runDir} (after checking it against the manifest).
     *
     * @throws RunError (settings) if the run has no such snapshot
     */
    public static WeightsEvaluation ofSnapshot(Path runDir, int index, Device device) {
        RunDirectory run = RunDirectory.open(runDir);
        return evaluate(run, device, "snapshot " + index, scope -> WeightsSource.snapshot(run.root(), index, scope));
    }

    /**
     * Evaluates the weights {@code weights} (a safetensors or {@code .pt} file, or {@code RUN:INDEX};
     * see {@link WeightsSource}) with the model of the run in {@code runDir}; a file inside a run is
     * checked against that run's manifest first.
     */
    public static WeightsEvaluation ofWeights(Path runDir, String weights, Device device) {
        RunDirectory run = RunDirectory.open(runDir);
        return evaluate(run, device, weights, scope -> WeightsSource.read(weights, "weights file", scope));
    }

    /** Reads tensors into arrays owned by a scope. */
    private interface Tensors {
        Map<String, NDArray> read(NDManager scope);
    }

    private static WeightsEvaluation evaluate(RunDirectory run, Device device, String source, Tensors tensors) {
        try (Workspace workspace = Workspace.open(run.readConfig(), device)) {
            try (NDManager scope = workspace.manager().newSubManager()) {
                workspace.load(tensors.read(scope), source);
            }
            return new WeightsEvaluation(source, workspace.evaluate(workspace.testBatches()));
        }
    }
}
