package io.twa4j.run.soup;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.train.Evaluation;
import io.twa4j.run.RunError;
import io.twa4j.run.WeightsSource;
import io.twa4j.run.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The models a soup is made of: every parameter of each (BatchNorm statistics included) as one
 * flat float32 vector, in the order given, checked against the soup's model. An ingredient is a
 * safetensors file (checked against its run's manifest when it lies in a run) or {@code RUN:INDEX},
 * a snapshot of a run (checked against the snapshot manifest). Memory: the ingredients themselves,
 * n × D × 4 bytes. Closing releases them.
 */
public final class Ingredients implements AutoCloseable {

    private final List<String> names;
    private final List<NDArray> all;
    private final FlatParameters allParameters;
    private final NDManager manager;
    private Map<String, ParameterLayout.Entry> entriesByName;

    private Ingredients(List<String> names, List<NDArray> all, FlatParameters allParameters, NDManager manager) {
        this.names = names;
        this.all = all;
        this.allParameters = allParameters;
        this.manager = manager;
    }

    /**
     * Reads the ingredients {@code sources} (files or {@code RUN:INDEX}) for {@code workspace}'s model.
     *
     * @throws RunError (input) naming the ingredient when it is missing, damaged, or has another
     *     architecture or other parameter names; (settings) with fewer than two
     */
    public static Ingredients read(List<String> sources, Workspace workspace) {
        if (sources.size() < 2) {
            throw RunError.settings("a soup needs at least 2 ingredients, got " + sources.size());
        }
        FlatParameters allParameters = new FlatParameters(ParameterLayout.all(workspace.block()));
        NDManager manager = workspace.manager().newSubManager();
        List<NDArray> all = new ArrayList<>(); // mutable: release() empties it
        try {
            for (String source : sources) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray flat = flatten(WeightsSource.read(source, "ingredient", scope), allParameters, workspace, source, scope);
                    flat.attach(manager);
                    all.add(flat);
                }
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return new Ingredients(List.copyOf(sources), all, allParameters, manager);
    }

    private static NDArray flatten(Map<String, NDArray> tensors, FlatParameters allParameters, Workspace workspace, String source,
            NDManager scope) {
        String mismatch = "ingredient " + source + " does not match model " + workspace.config().model().model() + ": ";
        return allParameters.flatten(workspace.naming().toModel(tensors, mismatch), scope);
    }

    /** How many ingredients there are. */
    public int size() {
        return names.size();
    }

    /** The ingredients as given (files or {@code RUN:INDEX}). */
    public List<String> names() {
        return names;
    }

    /** Every parameter of ingredient {@code i} (BatchNorm statistics included), flat. */
    public NDArray parameters(int i) {
        return all.get(i);
    }

    /**
     * The parameters of {@code part} (a layout of some of the model's parameters, e.g. the
     * trainable ones) of ingredient {@code i}, flat in {@code part}'s order, owned by {@code scope}.
     */
    public NDArray parameters(int i, ParameterLayout part, NDManager scope) {
        Map<String, ParameterLayout.Entry> byName = entriesByName();
        ai.djl.ndarray.NDList pieces = new ai.djl.ndarray.NDList();
        for (ParameterLayout.Entry entry : part.entries()) {
            ParameterLayout.Entry whole = byName.get(entry.name());
            NDArray piece = all.get(i).get(whole.offset() + ":" + (whole.offset() + whole.size()));
            piece.attach(scope);
            pieces.add(piece);
        }
        NDArray flat = ai.djl.ndarray.NDArrays.concat(pieces);
        flat.attach(scope);
        return flat;
    }

    private Map<String, ParameterLayout.Entry> entriesByName() {
        if (entriesByName == null) {
            entriesByName = new java.util.HashMap<>();
            allParameters.layout().entries().forEach(entry -> entriesByName.put(entry.name(), entry));
        }
        return entriesByName;
    }

    /** The layout of {@link #parameters}: every parameter of the model. */
    public FlatParameters layout() {
        return allParameters;
    }

    /**
     * Writes {@code Σ wᵢ · ingredientᵢ} (every parameter) into the model; BatchNorm statistics are
     * then the same combination of the ingredients', until recomputed.
     */
    public void writeCombination(double[] weights) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray sum = null;
            for (int i = 0; i < all.size(); i++) {
                if (weights[i] != 0) {
                    NDArray term = all.get(i).mul((float) weights[i]);
                    term.attach(scope); // an op's result belongs to its first operand's manager: the ingredients'
                    sum = sum == null ? term : sum.addi(term);
                }
            }
            allParameters.write(sum);
        }
    }

    /** Each ingredient as it is (its own BatchNorm statistics), evaluated on {@code images}. */
    public List<Evaluation> evaluateEach(Workspace workspace, io.twa4j.core.data.BatchSource images) {
        List<Evaluation> evaluations = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            allParameters.write(all.get(i));
            evaluations.add(workspace.evaluate(images));
        }
        return evaluations;
    }

    /**
     * Releases the ingredients' arrays (their names stay) once a method holds what it needs of them
     * (a basis); {@link #parameters} and {@link #writeCombination} fail after it.
     */
    public void release() {
        all.forEach(NDArray::close);
        all.clear();
    }

    @Override
    public void close() {
        manager.close();
    }
}
