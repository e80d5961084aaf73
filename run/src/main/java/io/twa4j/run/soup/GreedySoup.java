package io.twa4j.run.soup;

import io.twa4j.core.train.Evaluation;
import io.twa4j.run.Workspace;
import io.twa4j.run.method.MethodContext;
import io.twa4j.run.method.RunMethod;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The greedy soup of Wortsman et al. (2022), their rule exactly: the ingredients sorted by
 * held-out accuracy, the soup starts as the best one, and each next one joins only if the equal
 * average of the soup with it has a strictly higher held-out accuracy (BatchNorm statistics
 * recomputed from the training images for every candidate; the first ingredient is scored the
 * same way, so every comparison is between soups treated alike).
 *
 * @param inputs the ingredients and their evaluations
 */
public record GreedySoup(SoupInputs inputs) implements RunMethod<SoupResult> {

    @Override
    public String resultPath() {
        return "soup/greedy";
    }

    @Override
    public SoupResult run(MethodContext context) {
        long started = System.nanoTime();
        PrintStream out = context.console().out();
        List<Integer> order = inputs.byHeldOutAccuracy();
        out.println("greedy soup, ingredients by held-out accuracy: " + describe(order));
        List<Integer> chosen = new ArrayList<>(List.of(order.get(0)));
        double best = heldOutAccuracy(context.workspace(), chosen);
        out.printf(Locale.ROOT, "  start with %s: held-out %.4f (BatchNorm recomputed)%n", name(order.get(0)), best);
        for (int candidate : order.subList(1, order.size())) {
            List<Integer> trial = new ArrayList<>(chosen);
            trial.add(candidate);
            double accuracy = heldOutAccuracy(context.workspace(), trial);
            boolean accepted = accuracy > best;
            out.printf(Locale.ROOT, "  %s %s: held-out %.4f %s %.4f%n", accepted ? "add" : "skip", name(candidate), accuracy,
                    accepted ? ">" : "<=", best);
            if (accepted) {
                chosen = trial;
                best = accuracy;
            }
        }
        double[] weights = equalWeights(chosen);
        inputs.ingredients().writeCombination(weights);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("order", order.stream().map(this::name).toList());
        details.put("chosen", chosen.stream().map(this::name).toList());
        return SoupSteps.finish(context, inputs, "greedy", List.of("all"), List.of(weights), details, started);
    }

    /** The held-out accuracy of the equal average of {@code members}, BatchNorm statistics recomputed. */
    private double heldOutAccuracy(Workspace workspace, List<Integer> members) {
        inputs.ingredients().writeCombination(equalWeights(members));
        Evaluation evaluation = workspace.updateBatchNormAndEvaluate(workspace.trainBatches(), workspace.heldOutBatches());
        return evaluation.top1();
    }

    private double[] equalWeights(List<Integer> members) {
        double[] weights = new double[inputs.ingredients().size()];
        members.forEach(i -> weights[i] = 1.0 / members.size());
        return weights;
    }

    private String name(int i) {
        return inputs.ingredients().names().get(i);
    }

    private String describe(List<Integer> order) {
        List<String> parts = new ArrayList<>();
        for (int i : order) {
            parts.add(String.format(Locale.ROOT, "%s (%.4f)", name(i), inputs.heldOut().get(i).top1()));
        }
        return String.join(", ", parts);
    }
}
