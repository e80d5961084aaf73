package io.twa4j.run.soup;

import ai.djl.ndarray.NDManager;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.SubspaceSgd;
import io.twa4j.run.Workspace;
import io.twa4j.run.method.MethodContext;
import io.twa4j.run.method.RunMethod;
import io.twa4j.run.report.ResidentMemory;
import io.twa4j.run.twa.TwaSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learned soup as TWA: the ingredients' trainable parameters as an orthonormal basis P
 * ({@link Basis}), the coefficients trained on the held-out images in coefficient form ({@code w =
 * Pᵀα}, gradient {@code P g + wd·α}; {@link SubspaceSgd}), starting at the uniform soup; the
 * result reported as the weight of each ingredient, so that the trainable weights are exactly
 * {@code Σ cᵢ wᵢ}: n numbers of optimiser state.
 *
 * <p>By layer ({@code blocks} not null): one coefficient per ingredient per block (a tensor, a
 * layer, or one of K runs of tensors), still in coefficient form. Each block b has its own basis
 * P_b of the ingredients' parameters in that block and its own coordinates α_b, so the state is
 * n × L numbers and the bases together hold n × D values, as one global basis does; every block's
 * weights are exactly {@code Σᵢ c_{i,b} w_{i,b}}. Either way the ingredients' own arrays are
 * released once the bases hold them: the ingredients' size plus one model in all.
 *
 * @param inputs the ingredients and their evaluations
 * @param settings the coefficient training (epochs, lr, wd, momentum, schedule, batch size, basis dtype)
 * @param blocks null for one coefficient per ingredient; per-tensor, per-layer, or a number K by layer
 */
public record LearnedSoup(SoupInputs inputs, TwaSettings settings, String blocks) implements RunMethod<SoupResult> {

    private String method() {
        return blocks == null ? "learned" : "learned-by-layer";
    }

    @Override
    public String resultPath() {
        return "soup/" + method();
    }

    @Override
    public SoupResult run(MethodContext context) {
        long started = System.nanoTime();
        Workspace workspace = context.workspace();
        Ingredients ingredients = inputs.ingredients();
        ParameterLayout trainable = ParameterLayout.trainable(workspace.block());
        Map<String, ParameterLayout> layouts = blocks == null ? Map.of("all", trainable) : Blocks.of(trainable, blocks);
        double[] uniform = new double[ingredients.size()];
        Arrays.fill(uniform, 1.0 / uniform.length);
        ingredients.writeCombination(uniform); // BatchNorm statistics start as the ingredients' average
        List<Basis> bases = new ArrayList<>();
        double ingredientsMib = 4.0 * ingredients.size() * ingredients.layout().size() / 1048576.0;
        try {
            for (ParameterLayout layout : layouts.values()) {
                bases.add(basisOf(layout, workspace, ingredients));
            }
            ingredients.release();
            List<SubspaceSgd> sgds = new ArrayList<>();
            int b = 0;
            for (ParameterLayout layout : layouts.values()) {
                Basis basis = bases.get(b++);
                sgds.add(new SubspaceSgd(basis, new FlatParameters(layout), settings.momentum(), settings.wd(), basis.coordinatesOfMean()));
            }
            UpdateRule everyBlock = (lr, scope) -> sgds.forEach(sgd -> sgd.step(lr, scope));
            train(context, everyBlock);
            List<double[]> weights = new ArrayList<>();
            for (int k = 0; k < bases.size(); k++) {
                weights.add(ingredientWeights(bases.get(k).weightsBySource(sgds.get(k).coefficients())));
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("settings", settings);
            details.put("blocks", List.copyOf(layouts.keySet()));
            details.put("n", bases.stream().mapToInt(Basis::size).max().orElse(0));
            details.put("basis_error", bases.stream().mapToDouble(Basis::orthonormalityError).max().orElse(0));
            details.put("basis_mib", bases.stream().mapToLong(Basis::bytes).sum() / 1048576.0);
            details.put("ingredients_mib", ingredientsMib); // n · D · 4 bytes, every parameter
            ResidentMemory.peakMegabytes().ifPresent(peak -> details.put("peak_rss_mib", peak)); // the whole process so far
            return SoupSteps.finish(context, inputs, method(), List.copyOf(layouts.keySet()), weights, details, started);
        } finally {
            bases.forEach(Basis::close);
        }
    }

    private Basis basisOf(ParameterLayout layout, Workspace workspace, Ingredients ingredients) {
        Basis basis = new Basis(workspace.manager(), layout.size(), ingredients.size(), settings.tolerance(), settings.storage());
        for (int i = 0; i < ingredients.size(); i++) {
            try (NDManager scope = workspace.manager().newSubManager()) {
                basis.add(i, ingredients.parameters(i, layout, scope));
            }
        }
        return basis;
    }

    private void train(MethodContext context, UpdateRule update) {
        Workspace workspace = context.workspace();
        context.loop(update, settings.lrSchedule(), "soup-" + method()).build()
                .run(workspace.heldOutTrainingBatches(settings.batchSize()), workspace.testBatches(), 0, settings.epochs());
    }

    /** The weight of each ingredient, in the order given (a basis's sources are the ingredients' positions). */
    private double[] ingredientWeights(Map<Integer, Double> bySource) {
        double[] weights = new double[inputs.ingredients().size()];
        bySource.forEach((ingredient, weight) -> weights[ingredient] = weight);
        return weights;
    }
}
