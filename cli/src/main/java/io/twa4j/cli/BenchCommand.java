package io.twa4j.cli;

import ai.djl.ndarray.types.Shape;
import io.twa4j.run.RunError;
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
import picocli.CommandLine.Option;


/**
 * {@code twa4j bench}: where a TWA step's time goes. For each model: the step split into
 * forward/backward and the subspace update, the two passes over P against the memory-bandwidth
 * bound measured in the same run, and peak resident memory against the basis's n·D·4 bytes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure where a TWA step's time and memory go.",
            "",
            "Forward/backward vs the subspace update, the projection (two passes over P) vs the",
            "copy-bandwidth bound, and peak memory vs the basis's size. Uses synthetic inputs;",
            "prints a table (or --json).",
            "With --loader DIR: the image-folder loader's throughput on DIR instead."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", split = ",", defaultValue = "cnn,resnet18",
            description = "Models to measure, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--n", paramLabel = "N", defaultValue = "30", description = "Basis rows (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--steps", paramLabel = "S", defaultValue = "20", description = "Timed TWA steps per model (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--input", paramLabel = "C,H,W", split = ",",
            description = "Input shape for every model (default: cnn 1,28,28; others 3,32,32).")
    int[] input;

    @Option(names = "--basis-dtype", paramLabel = "f32|f16", defaultValue = "f32", description = "Basis storage (default: ${DEFAULT-VALUE}).")
    String basisDtype;

    @Option(names = "--json", description = "Print one JSON object per model instead of the table.")
    boolean json;

    @ArgGroup(exclusive = false, heading = "%nThe image-folder loader instead:%n")
    LoaderBenchOptions loader;

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
        Shape chw = input == null ? null : new Shape(Arrays.stream(input).asLongStream().toArray());
        if (chw != null && chw.dimension() != 3) {
            throw RunError.settings("--input must be C,H,W, got " + chw);
        }
        String dtype = Check.flags(() -> Settings.oneOf("basis_dtype", basisDtype.toLowerCase(Locale.ROOT), TwaSettings.BASIS_DTYPES));
        TwaStepBench bench = new TwaStepBench(rows, steps, batchSize, chw, dtype);
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
        System.out.printf(Locale.ROOT, "%-10s %10s %4s %9s %9s %9s %9s %9s %9s %7s %9s %9s%n", "model", "D", "n",
                "step ms", "fwd/bwd", "update", "P g ms", "Pt a ms", "bound ms", "x bound", "P MiB", "peak MiB");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-10s %10d %4d %9.1f %9.1f %9.1f %9.2f %9.2f %9.2f %7.2f %9.0f %9s%n",
                    r.get("model"), r.get("D"), r.get("n"), r.get("step_ms"), r.get("forward_backward_ms"), r.get("update_ms"),
                    r.get("project_ms"), r.get("combine_ms"), r.get("bound_ms"), r.get("projection_over_bound"),
                    r.get("basis_mib"), r.get("peak_rss_mib"));
        }
        System.out.printf(Locale.ROOT, "copy bandwidth %.1f GB/s; bound = 2 n D bytes-per-entry / copy bandwidth (one read of P for P g, one for Pt a)%n",
                (Double) results.get(0).get("copy_gb_per_s"));
        return ExitCode.OK;
    }

}
