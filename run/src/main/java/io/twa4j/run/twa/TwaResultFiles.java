package io.twa4j.run.twa;

import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.twa.BlockBasis;
import io.twa4j.run.Workspace;
import io.twa4j.core.io.Json;
import io.twa4j.run.report.MetricsListener;
import io.twa4j.run.report.Plots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files of a TWA result: {@code weights.safetensors} (every parameter, the names of the
 * snapshots), {@code coefficients.csv} ({@code snapshot,epoch,block,coefficient}: the trainable
 * weights of each block l are exactly {@code Σ c_{i,l} w_{i,l}}; block {@code all} for global
 * coefficients; to within the rows' quantisation for an int8 or int4 basis), {@code summary.json} (settings, basis, baseline and final metrics,
 * times) and {@code plots/accuracy.png}, {@code plots/coefficients.png}.
 *
 * @param workspace the model, holding the final weights
 * @param basis the basis TWA trained in
 * @param points the snapshots of the basis
 * @param weights by block, the weight of each snapshot of the basis, by index ({@link BlockBasis#weightsBySource})
 * @param settings the TWA settings
 * @param figures what was measured
 */
record TwaResultFiles(Workspace workspace, BlockBasis basis, List<SnapshotPoint> points, Map<String, Map<Integer, Double>> weights,
        TwaSettings settings,
        Figures figures) {

    /** What was measured: the baseline (null without one), the result, the epochs, the basis's error and the times. */
    record Figures(Evaluation average, Evaluation twa, List<TrainingListener.EpochEvent> epochs, double basisError, Times times) {}

    /**
     * Where TWA's wall time went, in seconds.
     *
     * @param basis building the basis
     * @param baseline the equal average's BatchNorm pass and evaluation (0 without a baseline)
     * @param training the coefficient epochs, their evaluations included
     * @param last the final BatchNorm pass and evaluation
     * @param total all of it
     */
    record Times(double basis, double baseline, double training, double last, double total) {

        /** One line for the console. */
        String line() {
            return String.format(Locale.ROOT, "time: basis %.1f s, baseline %.1f s, training %.1f s, final BN update + evaluation %.1f s"
                    + " (fixed costs %.1f s = %.0f%% of the total)", basis, baseline, training, last, basis + baseline + last,
                    100 * (basis + baseline + last) / total);
        }
    }

    /** Writes every file into {@code directory}. */
    void write(Path directory) throws IOException {
        workspace.writeWeights(directory.resolve("weights.safetensors"), Map.of("twa", settings.name()));
        Plots.Chart coefficients = writeCoefficients(directory.resolve("coefficients.csv"));
        AtomicFiles.writeString(directory.resolve("summary.json"), Json.PRETTY.writeValueAsString(summary()) + "\n");
        Files.createDirectories(directory.resolve("plots"));
        accuracyChart().writePng(directory.resolve("plots/accuracy.png"));
        coefficients.writePng(directory.resolve("plots/coefficients.png"));
    }

    /** Writes the CSV of the snapshots' weights (every block) and returns their chart: a line per block. */
    private Plots.Chart writeCoefficients(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("snapshot,epoch,block,coefficient\n");
        boolean global = weights.size() == 1;
        Plots.Chart chart = new Plots.Chart(global ? "TWA coefficients over the snapshots"
                : "TWA coefficients over the snapshots, per block (" + settings.coefficients() + ")", "epoch of the snapshot", "coefficient");
        for (SnapshotPoint point : points) {
            weights.forEach((block, bySource) -> {
                double weight = bySource.getOrDefault(point.index(), 0.0);
                csv.append(String.format(Locale.ROOT, "%d,%s,%s,%.9g%n", point.index(), trim(point.epoch()), block, weight));
                chart.point(global ? "TWA" : block, point.epoch(), weight);
            });
            chart.point("equal average", point.epoch(), 1.0 / points.size());
        }
        AtomicFiles.writeString(file, csv.toString());
        return chart;
    }

    private Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("name", settings.name());
        summary.put("model", workspace.config().model().model());
        summary.put("data", workspace.config().data().data());
        summary.put("settings", settings);
        summary.put("snapshots", points.stream().map(SnapshotPoint::index).toList());
        summary.put("coefficients", settings.coefficients());
        summary.put("blocks", List.copyOf(weights.keySet()));
        summary.put("n", basis.blocks().size() == 1 ? basis.size() : basis.maxRows());
        summary.put("coefficient_count", basis.size());
        summary.put("dropped", basis.blocks().size() == 1 ? basis.global().droppedSources() : List.of());
        summary.put("D", basis.dimension());
        summary.put("basis_dtype", settings.encoding().label());
        summary.put("basis_mib", basis.bytes() / 1048576.0);
        summary.put("basis_error", figures.basisError());
        summary.put("basis_seconds", figures.times().basis());
        summary.put("average", figures.average() == null ? null : MetricsListener.testValues(figures.average()));
        summary.put("twa", MetricsListener.testValues(figures.twa()));
        List<Map<String, Object>> perEpoch = new ArrayList<>();
        for (TrainingListener.EpochEvent epoch : figures.epochs()) {
            perEpoch.add(MetricsListener.line("twa", epoch));
        }
        summary.put("epochs", perEpoch);
        summary.put("seconds", figures.times().total());
        summary.put("seconds_split", Map.of("basis", figures.times().basis(), "baseline", figures.times().baseline(),
                "training", figures.times().training(), "final_bn_and_evaluation", figures.times().last()));
        return summary;
    }

    private Plots.Chart accuracyChart() {
        List<TrainingListener.EpochEvent> epochs = figures.epochs();
        Plots.Chart accuracy = new Plots.Chart("Test accuracy during TWA", "TWA epoch", "test accuracy");
        for (int e = 0; e <= epochs.size() && figures.average() != null; e++) {
            accuracy.point("average of the snapshots + BN update", e, figures.average().top1());
        }
        if (settings.trainStart() == -1 && figures.average() != null) {
            accuracy.point("TWA (running BN statistics)", 0, figures.average().top1()); // it starts at the average
        }
        for (TrainingListener.EpochEvent epoch : epochs) {
            accuracy.point("TWA (running BN statistics)", epoch.epoch(), epoch.test().top1());
        }
        accuracy.point("TWA + BN update", epochs.size(), figures.twa().top1());
        return accuracy;
    }

    private static String trim(double epoch) {
        return epoch == Math.rint(epoch) ? String.valueOf((long) epoch) : String.format(Locale.ROOT, "%.4f", epoch);
    }
}
