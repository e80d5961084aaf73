package io.twa4j.run.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.params.FlatFloats;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.RowEncoding;
import io.twa4j.core.twa.SubspaceSgd;
import io.twa4j.run.report.ResidentMemory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a TWA step's time goes ({@code twa4j bench}): for a model, the SGD step and the TWA step
 * of the same model and batch (split into forward/backward and the update), timed side by side in
 * one loop where the two rules take turns of {@value #TURN} steps; the two passes over P against
 * the memory-bandwidth bound measured in the same run; and memory: the SGD loop's steady resident
 * set against the peak of a loop of TWA steps alone, whose bound is
 * {@code n·D·bytes + 1.2 × steady}. Uses synthetic inputs and a random basis.
 *
 * @param rows basis rows n
 * @param steps timed steps of each rule
 * @param warmup untimed steps before them (the first ~10 steps of a loop run slower: allocator and
 *     oneDNN caches warming)
 * @param batchSize batch size
 * @param input input shape (C, H, W) for every model, or null for cnn 1,28,28 and others 3,32,32
 * @param basisDtype basis storage, f32, f16, int8 or int4
 */
public record TwaStepBench(int rows, int steps, int warmup, int batchSize, Shape input, String basisDtype) {

    /** Steps of each turn when the SGD and TWA rules take turns ({@link BenchSteps.Turns}). */
    static final int TURN = 4;

    /** The figures for {@code model}, by name (sgd_step_ms, step_ms, twa_over_sgd, project_ms, ...). */
    public Map<String, Object> measure(String model) {
        Shape chw = input != null ? input : BenchSteps.defaultInput(model);
        BatchSource batches = BenchSteps.syntheticBatches(chw, batchSize, steps + warmup);
        BenchSteps.Turns turns = new BenchSteps.Turns(warmup, TURN);
        BatchSource turnBatches = BenchSteps.syntheticBatches(chw, batchSize, turns.stepsFor(steps, 2));
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = BenchSteps.model(model, chw, manager);
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
            try (SgdUpdate update = sgd(trainable)) {
                BenchSteps.time(block, manager, update, batches, warmup); // two whole loops: the JVM and engine warm up,
                BenchSteps.time(block, manager, update, batches, warmup); // and the resident set settles
            }
            Long steady = ResidentMemory.megabytes().isPresent() ? ResidentMemory.megabytes().getAsLong() : null;
            RowEncoding encoding = RowEncoding.of(basisDtype);
            ResidentMemory.Measured<Basis> built = ResidentMemory.peakOf(
                    () -> BenchSteps.randomBasis(trainable, manager, rows, encoding, Collective.single()));
            try (Basis basis = built.value()) {
                SubspaceSgd rule = new SubspaceSgd(basis, trainable, 0.9, 1e-5, basis.coordinatesOfMean());
                ResidentMemory.Measured<BenchSteps.Split> alone = ResidentMemory.peakOf(
                        () -> BenchSteps.time(block, manager, rule, batches, warmup)); // TWA's memory, without SGD's momentum
                List<BenchSteps.Split> sideBySide;
                try (SgdUpdate update = sgd(trainable)) {
                    sideBySide = BenchSteps.interleaved(block, manager, List.of(update, rule), turnBatches, turns);
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("model", model);
                result.put("input", chw.toString());
                result.put("D", trainable.size());
                result.put("n", basis.size());
                putSteps(result, sideBySide.get(0), sideBySide.get(1), alone.value());
                putProducts(result, basis, manager, trainable.size());
                putMemory(result, basis, steady, built.peakMib(), alone.peakMib());
                return result;
            }
        }
    }

    private static SgdUpdate sgd(FlatParameters trainable) {
        return new SgdUpdate(trainable.layout(), 0.9, 1e-4);
    }

    /** The SGD and TWA steps timed side by side, and the TWA step of its own loop. */
    private static void putSteps(Map<String, Object> result, BenchSteps.Split sgd, BenchSteps.Split twa, BenchSteps.Split alone) {
        result.put("sgd_step_ms", sgd.stepMs());
        result.put("sgd_update_ms", sgd.updateMs());
        result.put("step_ms", twa.stepMs());
        result.put("forward_backward_ms", twa.forwardBackwardMs());
        result.put("update_ms", twa.updateMs());
        result.put("twa_over_sgd", twa.stepMs() / sgd.stepMs());
        result.put("update_over_sgd_step", (twa.updateMs() - sgd.updateMs()) / sgd.stepMs());
        result.put("timed_in_turns_of", TURN);
        result.put("alone_step_ms", alone.stepMs()); // the TWA loop by itself, minutes from the SGD steps
    }

    /** The two products over P against the copy-bandwidth bound, and what holds P. */
    private void putProducts(Map<String, Object> result, Basis basis, NDManager manager, long d) {
        double[] projections = projectionTimes(basis, manager, d);
        double copy = copyBytesPerSecond(manager, 64L << 20);
        double bound = 2.0 * basis.bytes() / copy * 1e3;
        result.put("project_ms", projections[0]);
        result.put("combine_ms", projections[1]);
        result.put("bound_ms", bound);
        result.put("projection_over_bound", (projections[0] + projections[1]) / bound);
        result.put("copy_gb_per_s", copy / 1e9);
        result.put("basis_dtype", basisDtype);
        result.put("basis_kernel", basis.kernel());
        result.put("basis_kib_per_row", basis.bytes() / 1024.0 / rows);
        result.put("basis_mib", basis.bytes() / 1048576.0);
    }

    /** The SGD loop's steady resident set, the basis build's and the TWA loop's peaks, and the bound on the latter. */
    private static void putMemory(Map<String, Object> result, Basis basis, Long steady, Long buildPeak, Long twaPeak) {
        result.put("sgd_steady_rss_mib", steady);
        result.put("build_peak_rss_mib", buildPeak); // building the basis (Gram–Schmidt in float64)
        result.put("peak_rss_mib", twaPeak); // the TWA loop's, before the bandwidth test's own 512 MB
        result.put("peak_bound_mib", steady == null ? null : basis.bytes() / 1048576.0 + 1.2 * steady);
    }

    /** Median milliseconds of P g and of Pᵀ α over repeated calls. */
    private static double[] projectionTimes(Basis basis, NDManager manager, long d) {
        int repeats = 15;
        double[] project = new double[repeats];
        double[] combine = new double[repeats];
        try (NDManager scope = manager.newSubManager()) {
            NDArray g = scope.randomNormal(new Shape(d));
            NDArray alpha = scope.randomNormal(new Shape(basis.size()));
            // rows on the heap: a heap vector, read and written a group of columns at a time as a step does its views
            FlatFloats heap = basis.onHeap() ? FlatFloats.of(g.toFloatArray()) : null;
            double[] coordinates = null;
            if (basis.onHeap()) {
                float[] values = alpha.toFloatArray();
                coordinates = new double[values.length];
                for (int j = 0; j < values.length; j++) {
                    coordinates[j] = values[j];
                }
            }
            for (int i = 0; i < repeats; i++) {
                try (NDManager inner = scope.newSubManager()) {
                    long started = System.nanoTime();
                    if (heap != null) {
                        basis.project(heap);
                    } else {
                        basis.project(g, inner).toFloatArray();
                    }
                    project[i] = (System.nanoTime() - started) / 1e6;
                    started = System.nanoTime();
                    if (heap != null) {
                        basis.combine(coordinates, heap);
                    } else {
                        basis.combine(alpha, inner).get(new NDIndex(0)).getFloat(); // wait for the result
                    }
                    combine[i] = (System.nanoTime() - started) / 1e6;
                }
            }
        }
        return new double[] {BenchSteps.median(Arrays.copyOfRange(project, 2, repeats)), BenchSteps.median(Arrays.copyOfRange(combine, 2, repeats))};
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
            return floats * 4 / BenchSteps.median(Arrays.copyOfRange(seconds, 2, seconds.length));
        }
    }
}
