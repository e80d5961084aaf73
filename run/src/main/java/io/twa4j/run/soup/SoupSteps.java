package io.twa4j.run.soup;

import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.Json;
import io.twa4j.core.train.Evaluation;
import io.twa4j.run.Workspace;
import io.twa4j.run.method.MethodContext;
import io.twa4j.run.report.MetricsListener;
import io.twa4j.run.report.Plots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The steps every soup shares once the model holds it: BatchNorm statistics recomputed from the
 * training images, the held-out and test evaluations (one {@code "phase": "soup"} line in
 * metrics.jsonl), and the result in {@code RUN/soup/METHOD/}: {@code weights.safetensors},
 * {@code coefficients.csv} ({@code model,coefficient}, or {@code model,block,coefficient} by
 * layer), {@code summary.json} and {@code plots/accuracy.png} (held-out and test accuracy of every
 * ingredient and of the soup).
 */
final class SoupSteps {
    private SoupSteps() {}

    /** Evaluates the soup now in the model and writes its result. */
    static SoupResult finish(MethodContext context, SoupInputs inputs, String method, List<String> blocks, List<double[]> weights,
            Map<String, Object> details, long started) {
        Workspace workspace = context.workspace();
        MethodContext.Evaluated evaluated = context.evaluateAfterBatchNorm(workspace.trainBatches(), workspace.testBatches(), "soup", 0,
                method);
        Evaluation test = evaluated.test();
        Evaluation heldOut = evaluated.heldOut();
        double seconds = (System.nanoTime() - started) / 1e9;
        context.console().out().printf(Locale.ROOT, "%s soup: held-out accuracy %.4f, test accuracy %.4f (%.1f s)%n", method,
                heldOut.top1(), test.top1(), seconds);
        SoupResult result = new SoupResult(method, weights, blocks, heldOut, test, seconds, null);
        Path written = context.writeResult("soup/" + method, dir -> write(dir, workspace, inputs, result, details));
        context.console().out().printf(Locale.ROOT, "results in %s%n", written);
        return new SoupResult(method, weights, blocks, heldOut, test, seconds, written);
    }

    private static void write(Path dir, Workspace workspace, SoupInputs inputs, SoupResult soup, Map<String, Object> details)
            throws IOException {
        workspace.writeWeights(dir.resolve("weights.safetensors"), Map.of("soup", soup.method()));
        List<String> names = inputs.ingredients().names();
        boolean byBlock = soup.blocks().size() > 1;
        StringBuilder csv = new StringBuilder(byBlock ? "model,block,coefficient\n" : "model,coefficient\n");
        for (int b = 0; b < soup.blocks().size(); b++) {
            for (int i = 0; i < names.size(); i++) {
                csv.append(names.get(i).replace(",", "_")).append(',');
                if (byBlock) {
                    csv.append(soup.blocks().get(b)).append(',');
                }
                csv.append(String.format(Locale.ROOT, "%.9g%n", soup.weights().get(b)[i]));
            }
        }
        AtomicFiles.writeString(dir.resolve("coefficients.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("summary.json"), Json.PRETTY.writeValueAsString(summary(inputs, soup, details)) + "\n");
        Files.createDirectories(dir.resolve("plots"));
        Plots.Chart chart = new Plots.Chart("Ingredients and soups", "ingredient (in the order given)", "accuracy");
        Map<String, double[]> soups = otherSoups(dir.getParent(), soup.method());
        soups.put(soup.method(), new double[] {soup.heldOut().top1(), soup.test().top1()});
        for (int i = 0; i < names.size(); i++) {
            chart.point("ingredient, held-out", i + 1, inputs.heldOut().get(i).top1());
            chart.point("ingredient, test", i + 1, inputs.test().get(i).top1());
            for (Map.Entry<String, double[]> other : soups.entrySet()) {
                chart.point(other.getKey() + " soup, held-out", i + 1, other.getValue()[0]);
                chart.point(other.getKey() + " soup, test", i + 1, other.getValue()[1]);
            }
        }
        chart.writePng(dir.resolve("plots/accuracy.png"));
    }

    /** The held-out and test accuracy of the other soups already in {@code soupDir}, by method. */
    private static Map<String, double[]> otherSoups(Path soupDir, String method) throws IOException {
        Map<String, double[]> soups = new java.util.TreeMap<>();
        try (var entries = Files.list(soupDir)) {
            for (Path other : entries.sorted().toList()) {
                String name = other.getFileName().toString();
                Path summary = other.resolve("summary.json");
                if (name.startsWith(".") || name.equals(method) || !Files.isRegularFile(summary)) {
                    continue;
                }
                try {
                    var values = Json.TREE.readTree(Files.readString(summary)).path("soup");
                    soups.put(name, new double[] {values.path("val_acc").asDouble(), values.path("test_acc").asDouble()});
                } catch (com.fasterxml.jackson.core.JacksonException e) {
                    // a damaged summary of another soup only leaves it out of the plot (verify reports the file)
                }
            }
        }
        return soups;
    }

    private static Map<String, Object> summary(SoupInputs inputs, SoupResult soup, Map<String, Object> details) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", soup.method());
        List<Map<String, Object>> ingredients = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.ingredients().size(); i++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("model", inputs.ingredients().names().get(i));
            MetricsListener.putHeldOut(entry, inputs.heldOut().get(i));
            entry.putAll(MetricsListener.testValues(inputs.test().get(i)));
            ingredients.add(entry);
        }
        summary.put("ingredients", ingredients);
        summary.putAll(details);
        Map<String, Object> result = new LinkedHashMap<>();
        MetricsListener.putHeldOut(result, soup.heldOut());
        result.putAll(MetricsListener.testValues(soup.test()));
        summary.put("soup", result);
        summary.put("seconds", soup.seconds());
        return summary;
    }
}
