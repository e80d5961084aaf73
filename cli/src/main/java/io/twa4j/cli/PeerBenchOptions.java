package io.twa4j.cli;

import io.twa4j.core.io.Json;
import io.twa4j.run.bench.PeerBench;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code bench --peer}: twa4j and PyTorch side by side on the same work, with their ratios. */
final class PeerBenchOptions {

    @Option(names = "--peer", required = true,
            description = "Run the same work in twa4j, then in PyTorch (same model definitions, data, batch order, threads) and print"
                    + " twa4j / PyTorch for each figure: a cnn epoch on Fashion-MNIST and its evaluation, cnn, PreResNet20 and"
                    + " resnet18 steps, the TWA step, a BatchNorm pass, an evaluation, peak memory. PyTorch's side is skipped,"
                    + " with the reason, where torch does not import.")
    boolean peer;

    @Option(names = "--python", paramLabel = "PATH", description = "The Python with torch (default: $TWA4J_TORCH_PYTHON, else python3).")
    String python;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Fashion-MNIST's directory (default: /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--train-limit", paramLabel = "N", description = "Train the epoch and the BN pass on the first N examples (default: all).")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Evaluate on the first N test examples (default: all).")
    Integer testLimit;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "10", description = "Untimed steps before the timed ones (default: ${DEFAULT-VALUE}).")
    int warmup;

    /** Measures both sides and prints the table (or one JSON object). */
    void run(int rows, int steps, int batchSize, boolean json) throws Exception {
        Check.positive("--warmup", warmup);
        if (trainLimit != null) {
            Check.positive("--train-limit", trainLimit);
        }
        if (testLimit != null) {
            Check.positive("--test-limit", testLimit);
        }
        PeerBench.Settings settings = new PeerBench.Settings(dataDir == null ? null : dataDir.toString(), trainLimit, testLimit,
                batchSize, 250, rows, warmup, steps, python);
        PeerBench.Report report = new PeerBench(settings).run(System.err);
        if (json) {
            System.out.println(Json.COMPACT.writeValueAsString(report));
            return;
        }
        System.out.printf(Locale.ROOT, "%-36s %-4s %10s %10s %8s%n", "figure", "unit", "twa4j", "PyTorch", "ratio");
        for (PeerBench.Row row : report.rows()) {
            System.out.printf(Locale.ROOT, "%-36s %-4s %10s %10s %8s%n", row.figure(), row.unit(), format(row.twa4j()),
                    format(row.pytorch()), row.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", row.ratio()));
        }
        System.out.println("ratio = twa4j / PyTorch (below 1: twa4j is faster or smaller); median steps after " + warmup
                + " untimed; one side at a time");
        report.notes().forEach(System.out::println);
    }

    private static String format(Double value) {
        if (value == null) {
            return "-";
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 1 ? "%.2f" : "%.4f", value);
    }
}
