package io.twa4j.run.soup;

import ai.djl.ndarray.NDManager;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.twa.BlockBasis;
import io.twa4j.core.twa.SubspaceSgd;
import io.twa4j.run.Workspace;
import io.twa4j.run.method.MethodContext;
import io.twa4j.run.method.RunMethod;
import io.twa4j.run.report.ResidentMemory;
import io.twa4j.run.twa.Blocks;
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
 * layer, or one of K runs of tensors), still in coefficient form ({@link BlockBasis}): each block
 * b has its own basis P_b and coordinates α_b, so the state is n × L numbers and the bases
 * together hold n × D values, as one global basis does; every block's weights are exactly
 * {@code Σᵢ c_{i,b} w_{i,b}}. Either way the ingredients' own arrays are
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
        Map<String, ParameterLayout> layouts = Blocks.of(trainable, blocks == null ? "global" : blocks, "blocks");
        double[] uniform = new double[ingredients.size()];
        Arrays.fill(uniform, 1.0 / uniform.length);
        ingredients.writeCombination(uniform); // BatchNorm statistics start as the ingredients' average
        double ingredientsMib = 4.0 * ingredients.size() * ingredients.layout().size() / 1048576.0;
        try (BlockBasis bases = BlockBasis.empty(layouts, workspace.manager(), ingredients.size(), settings.tolerance(),
                settings.encoding(), Collective.single())) {
            for (int i = 0; i < ingredients.size(); i++) {
                int ingredient = i;
                try (NDManager scope = workspace.manager().newSubManager()) {
                    bases.add(i, block -> ingredients.parameters(ingredient, block.layout(), scope));
                }
            }
            ingredients.release();
            SubspaceSgd sgd = new SubspaceSgd(bases, new SubspaceSgd.Hyperparameters(settings.momentum(), settings.wd()),
                    bases.coordinatesOfMean(), Collective.single());
            train(context, sgd);
            List<double[]> weights = new ArrayList<>();
            bases.weightsBySource(sgd.coefficients()).values().forEach(bySource -> weights.add(ingredientWeights(bySource)));
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("settings", settings);
            details.put("blocks", List.copyOf(layouts.keySet()));
            details.put("n", bases.maxRows());
            details.put("basis_error", bases.orthonormalityError());
            details.put("basis_mib", bases.bytes() / 1048576.0);
            details.put("ingredients_mib", ingredientsMib); // n · D · 4 bytes, every parameter
            ResidentMemory.peakMegabytes().ifPresent(peak -> details.put("peak_rss_mib", peak)); // the whole process so far
            return SoupSteps.finish(context, inputs, method(), List.copyOf(layouts.keySet()), weights, details, started);
        }
    }

    private void train(MethodContext context, SubspaceSgd update) {
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
