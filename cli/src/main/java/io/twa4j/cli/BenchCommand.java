package io.twa4j.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.SubspaceSgd;
import io.twa4j.vision.data.ImageBatchSource;
import io.twa4j.vision.data.ImageSet;
import io.twa4j.vision.data.SyntheticImages;
import io.twa4j.vision.models.ModelZoo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
            "prints a table (or --json)."})
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

    @Override
    public Integer call() throws Exception {
        Check.positive("--n", rows);
        Check.positive("--steps", steps);
        Check.positive("--batch-size", batchSize);
        List<Map<String, Object>> results = new ArrayList<>();
        for (String model : models) {
            results.add(measure(Check.model(model)));
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

    private Map<String, Object> measure(String model) {
        Shape chw = input != null ? new Shape(Arrays.stream(input).asLongStream().toArray())
                : "cnn".equals(model) ? new Shape(1, 28, 28) : new Shape(3, 32, 32);
        if (chw.dimension() != 3) {
            throw UserError.usage("--input must be C,H,W, got " + chw);
        }
        ImageSet images = SyntheticImages.generate(7, batchSize * (steps + 3), 10, (int) chw.get(0), (int) chw.get(1), (int) chw.get(2));
        BatchSource batches = ImageBatchSource.builder(images).setBatchSize(batchSize).optSeed(1).build();
        Map<String, Object> result = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Block block = ModelZoo.build(model, 10, (int) chw.get(0));
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(chw));
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
            long d = trainable.size();
            try (Basis basis = new Basis(manager, d, rows, Basis.DEFAULT_TOLERANCE, TwaSettings.storage("--basis-dtype", basisDtype))) {
                for (int i = 0; i < rows; i++) {
                    try (NDManager scope = manager.newSubManager()) {
                        basis.add(i, scope.randomNormal(new Shape(d)));
                    }
                }
                List<Double> stepTimes = new ArrayList<>();
                List<Double> updateTimes = new ArrayList<>();
                SubspaceSgd sgd = new SubspaceSgd(basis, trainable, 0.9, 1e-5, basis.coordinatesOfMean());
                UpdateRule timed = (lr, scope) -> {
                    long started = System.nanoTime();
                    sgd.step(lr, scope); // ends with the parameters written: nothing is pending
                    updateTimes.add((System.nanoTime() - started) / 1e6);
                };
                TrainingLoop.builder().setBlock(block).setManager(manager).setUpdateRule(timed)
                        .setSchedule(Schedules.constant(1e-3))
                        .addListener(new TrainingListener() {
                            private long last = System.nanoTime();

                            @Override
                            public void onStep(StepEvent step) {
                                long now = System.nanoTime();
                                stepTimes.add((now - last) / 1e6);
                                last = now;
                            }
                        })
                        .build()
                        .run(batches, null, 0, 1);
                // the first three steps warm up the engine
                double step = median(stepTimes.subList(3, stepTimes.size()));
                double update = median(updateTimes.subList(3, updateTimes.size()));
                double[] projections = projectionTimes(basis, manager, d);
                Long peak = ResidentMemory.peakMegabytes().isPresent() ? ResidentMemory.peakMegabytes().getAsLong() : null;
                double copy = copyBytesPerSecond(manager, 64L << 20);
                double bound = 2.0 * rows * d * basis.storage().getNumOfBytes() / copy * 1e3;
                result.put("model", model);
                result.put("input", chw.toString());
                result.put("D", d);
                result.put("n", basis.size());
                result.put("step_ms", step);
                result.put("forward_backward_ms", step - update);
                result.put("update_ms", update);
                result.put("project_ms", projections[0]);
                result.put("combine_ms", projections[1]);
                result.put("bound_ms", bound);
                result.put("projection_over_bound", (projections[0] + projections[1]) / bound);
                result.put("copy_gb_per_s", copy / 1e9);
                result.put("basis_dtype", basisDtype);
                result.put("basis_mib", basis.bytes() / 1048576.0);
                result.put("peak_rss_mib", peak); // before the bandwidth test's own 512 MB
            }
        }
        return result;
    }

    /** Median milliseconds of P g and of Pᵀ α over repeated calls. */
    private static double[] projectionTimes(Basis basis, NDManager manager, long d) {
        int repeats = 15;
        double[] project = new double[repeats];
        double[] combine = new double[repeats];
        try (NDManager scope = manager.newSubManager()) {
            NDArray g = scope.randomNormal(new Shape(d));
            NDArray alpha = scope.randomNormal(new Shape(basis.size()));
            for (int i = 0; i < repeats; i++) {
                try (NDManager inner = scope.newSubManager()) {
                    long started = System.nanoTime();
                    basis.project(g, inner).toFloatArray();
                    project[i] = (System.nanoTime() - started) / 1e6;
                    started = System.nanoTime();
                    NDArray w = basis.combine(alpha, inner);
                    w.get(new NDIndex(0)).getFloat(); // wait for the result
                    combine[i] = (System.nanoTime() - started) / 1e6;
                }
            }
        }
        return new double[] {median(Arrays.copyOfRange(project, 2, repeats)), median(Arrays.copyOfRange(combine, 2, repeats))};
    }

    /** Bytes copied per second by an in-place copy of {@code floats} floats (each byte read once, written once). */
    private static double copyBytesPerSecond(NDManager manager, long floats) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray source = scope.randomNormal(new Shape(floats));
            NDArray target = scope.zeros(new Shape(floats));
            NDIndex all = new NDIndex("...");
            double[] seconds = new double[7];
            for (int i = 0; i < seconds.length; i++) {
                long started = System.nanoTime();
                target.set(all, source);
                target.get(new NDIndex(floats - 1)).getFloat();
                seconds[i] = (System.nanoTime() - started) / 1e9;
            }
            return floats * 4 / median(Arrays.copyOfRange(seconds, 2, seconds.length));
        }
    }

    private static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
