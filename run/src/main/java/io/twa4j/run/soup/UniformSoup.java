package io.twa4j.run.soup;

import io.twa4j.run.method.MethodContext;
import io.twa4j.run.method.RunMethod;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The uniform soup: the equal average of the ingredients, {@code (1/n) Σ wᵢ}, BatchNorm statistics
 * recomputed from the training images.
 *
 * @param inputs the ingredients and their evaluations
 */
public record UniformSoup(SoupInputs inputs) implements RunMethod<SoupResult> {

    @Override
    public String resultPath() {
        return "soup/uniform";
    }

    @Override
    public SoupResult run(MethodContext context) {
        long started = System.nanoTime();
        double[] weights = new double[inputs.ingredients().size()];
        Arrays.fill(weights, 1.0 / weights.length);
        inputs.ingredients().writeCombination(weights);
        return SoupSteps.finish(context, inputs, "uniform", List.of("all"), List.of(weights), Map.of(), started);
    }
}
