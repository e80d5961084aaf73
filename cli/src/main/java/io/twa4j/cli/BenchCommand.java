package io.twa4j.cli;

import ai.djl.ndarray.types.Shape;
import io.twa4j.run.RunError;
import io.twa4j.run.bench.ExchangeBench;
import io.twa4j.run.bench.TwaStepBench;
import io.twa4j.core.io.Json;
import io.twa4j.run.config.Settings;
import io.twa4j.run.twa.TwaSettings;
import io.twa4j.vision.models.ModelZoo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


/**
 * {@code twa4j bench}: where a TWA step's time goes. For each model: the step split into
 * forward/backward and the subspace update, the two passes over P against the memory-bandwidth
 * bound measured in the same run, and peak resident memory against the basis's n·D·4 bytes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure where a TWA step's time and memory go.",
            "",
            "The SGD step against the TWA step of the same model, timed side by side",
            "(the two take turns of 4 steps in one loop); forward/backward vs",
            "the subspace update, the projection (two passes over P) vs the",
            "copy-bandwidth bound; the SGD loop's steady memory vs the TWA loop's peak;",
            "which loops multiply the basis (--basis-dtype int8: the Vector API's).",
            "Uses synthetic inputs; prints a table (or --json).",
            "With --loader DIR: the image-folder loader's throughput on DIR instead.",
            "With --peer: the same work in twa4j and in PyTorch, and their ratios.",
            "With --exchange [--workers N]: what a data-parallel step exchanges and",
            "what it costs (SGD's gradient, TWA's n numbers, TWA on a split basis),",
            "on N worker processes."})
final class BenchCommand implements Callable<Integer> {

    /** Untimed steps before the timed ones: the first ~10 steps of a loop run slower (allocator and oneDNN caches warming). */
    private static final int WARMUP = 10;

    @Option(names = "--model", split = ",", defaultValue = "cnn,resnet18",
            description = "Models to measure, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--n", paramLabel = "N", defaultValue = "30", description = "Basis rows (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "20",
            description = "Timed steps of each rule (SGD, TWA) per model, after 10 untimed (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--input", paramLabel = "C,H,W", split = ",",
            description = "Input shape for every model (default: cnn 1,28,28; others 3,32,32).")
    int[] input;

    @Option(names = "--basis-dtype", paramLabel = "f32|f16|int8|int4", defaultValue = "f32", description = "Basis storage (default: ${DEFAULT-VALUE}).")
    String basisDtype;

    @Option(names = "--json", description = "Print one JSON object per model instead of the table.")
    boolean json;

    @ArgGroup(exclusive = false, heading = "%nThe image-folder loader instead:%n")
    LoaderBenchOptions loader;

    @ArgGroup(exclusive = false, heading = "%ntwa4j against PyTorch instead:%n")
    PeerBenchOptions peer;

    @Option(names = "--exchange", description = "Measure a data-parallel step's exchange instead (with --workers N).")
    boolean exchange;

    @Mixin
    WorkerOptions workers;

    /** The exchange bench on this rank; rank 0 prints the table (or JSON lines). */
    private int exchange(List<String> names, io.twa4j.core.collective.Collective collective) {
        ExchangeBench bench = new ExchangeBench(rows, steps, batchSize);
        List<Map<String, Object>> results = new ArrayList<>();
        names.forEach(model -> results.addAll(bench.measure(model, collective)));
        if (!collective.isLeader()) {
            return ExitCode.OK;
        }
        if (json) {
            for (Map<String, Object> result : results) {
                try {
                    System.out.println(Json.COMPACT.writeValueAsString(result));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return ExitCode.OK;
        }
        System.out.printf(Locale.ROOT, "%-9s %-16s %3s %10s %4s %12s %10s %6s %11s %11s %9s %7s%n", "model", "mode", "N", "D", "n",
                "floats/step", "MiB/step", "calls", "exchange ms", "transfer ms", "step ms", "share");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-9s %-16s %3d %10d %4d %12.0f %10.3f %6.1f %11.2f %11.2f %9.1f %6.1f%%%n", r.get("model"),
                    r.get("mode"), r.get("workers"), r.get("D"), r.get("n"), r.get("floats_per_step"),
                    (Double) r.get("bytes_per_step") / 1048576.0, r.get("calls_per_step"), r.get("exchange_ms"), r.get("transfer_ms"),
                    r.get("step_ms"), 100 * (Double) r.get("exchange_share"));
        }
        System.out.println("per step and worker; exchange = time in the collective calls (with the wait for the slowest rank),"
                + " transfer = the same floats all-reduced by ranks that start together; share = exchange / step; the batch of "
                + batchSize + " is split among the workers");
        return ExitCode.OK;
    }

    @Override
    public Integer call() throws Exception {
        if (loader != null) {
            Check.positive("--batch-size", batchSize);
            loader.run(batchSize);
            return ExitCode.OK;
        }
        Check.positive("--n", rows);
        Check.positive("--steps", steps);
        Check.positive("--batch-size", batchSize);
        if (peer != null) {
            peer.run(rows, steps, batchSize, json);
            return ExitCode.OK;
        }
        if (exchange) {
            List<String> names = models.stream().map(model -> Check.flags(() -> Settings.valid("model", () -> ModelZoo.canonicalName(model))))
                    .toList();
            return workers.run((collective, console) -> exchange(names, collective));
        }
        Shape chw = input == null ? null : new Shape(Arrays.stream(input).asLongStream().toArray());
        if (chw != null && chw.dimension() != 3) {
            throw RunError.settings("--input must be C,H,W, got " + chw);
        }
        String dtype = Check.flags(() -> Settings.oneOf("basis_dtype", basisDtype.toLowerCase(Locale.ROOT), TwaSettings.BASIS_DTYPES));
        TwaStepBench bench = new TwaStepBench(rows, steps, WARMUP, batchSize, chw, dtype);
        List<Map<String, Object>> results = new ArrayList<>();
        for (String model : models) {
            results.add(bench.measure(Check.flags(() -> Settings.valid("model", () -> ModelZoo.canonicalName(model)))));
        }
        if (json) {
            for (Map<String, Object> result : results) {
                System.out.println(Json.COMPACT.writeValueAsString(result));
            }
            return ExitCode.OK;
        }
        System.out.printf(Locale.ROOT, "%-11s %10s %4s %8s %8s %8s %8s %6s %8s %8s %8s %7s %7s %8s %8s %8s%n", "model", "D", "n",
                "SGD ms", "TWA ms", "fwd/bwd", "update", "TWA/SGD", "P g ms", "Pt a ms", "bound ms", "x bound", "P MiB",
                "SGD MiB", "TWA MiB", "bound");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-11s %10d %4d %8.1f %8.1f %8.1f %8.1f %6.3f  %8.2f %8.2f %8.2f %7.2f %7.0f %8s %8s %8s%n",
                    r.get("model"), r.get("D"), r.get("n"), r.get("sgd_step_ms"), r.get("step_ms"), r.get("forward_backward_ms"),
                    r.get("update_ms"), r.get("twa_over_sgd"), r.get("project_ms"), r.get("combine_ms"), r.get("bound_ms"),
                    r.get("projection_over_bound"), r.get("basis_mib"), r.get("sgd_steady_rss_mib"), r.get("peak_rss_mib"),
                    r.get("peak_bound_mib") == null ? null : String.format(Locale.ROOT, "%.0f", (Double) r.get("peak_bound_mib")));
        }
        System.out.printf(Locale.ROOT, "median step times, SGD and TWA side by side in one loop (turns of %d steps, a turn's first"
                + " step untimed); fwd/bwd and update split the TWA step; copy bandwidth %.1f GB/s;"
                + " bound = 2 n D bytes-per-entry / copy bandwidth (one read of P for P g, one for Pt a)%n",
                results.get(0).get("timed_in_turns_of"), (Double) results.get(0).get("copy_gb_per_s"));
        System.out.println("memory: SGD MiB = resident set after the SGD steps; TWA MiB = peak of a loop of TWA steps alone (basis included);"
                + " bound = P MiB + 1.2 x SGD MiB");
        System.out.printf(Locale.ROOT, "basis %s; its products by the %s loops%n", results.get(0).get("basis_dtype"), results.get(0).get("basis_kernel"));
        return ExitCode.OK;
    }

}
