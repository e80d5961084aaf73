package io.twa4j.run.bench;

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
import io.twa4j.run.report.ResidentMemory;
import io.twa4j.vision.data.ImageBatchSource;
import io.twa4j.vision.data.ImageSet;
import io.twa4j.vision.data.SyntheticImages;
import io.twa4j.vision.models.ModelZoo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a TWA step's time goes ({@code twa4j bench}): for a model, the step split into
 * forward/backward and the subspace update, the two passes over P against the memory-bandwidth
 * bound measured in the same run, and peak resident memory against the basis's n·D bytes. Uses
 * synthetic inputs and a random basis.
 *
 * @param rows basis rows n
 * @param steps timed TWA steps (after three warm-up steps)
 * @param batchSize batch size
 * @param input input shape (C, H, W) for every model, or null for cnn 1,28,28 and others 3,32,32
 * @param basisDtype basis storage, f32 or f16
 */
public record TwaStepBench(int rows, int steps, int batchSize, Shape input, String basisDtype) {

    /** The figures for {@code model}, by name (step_ms, forward_backward_ms, update_ms, project_ms, ...). */
    public Map<String, Object> measure(String model) {
        Shape chw = input != null ? input : "cnn".equals(model) ? new Shape(1, 28, 28) : new Shape(3, 32, 32);
        ImageSet images = SyntheticImages.generate(7, batchSize * (steps + 3), 10, (int) chw.get(0), (int) chw.get(1), (int) chw.get(2));
        BatchSource batches = ImageBatchSource.builder(images).setBatchSize(batchSize).optSeed(1).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Block block = ModelZoo.build(model, 10, (int) chw.get(0));
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(chw));
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
            long d = trainable.size();
            DataType storage = "f16".equals(basisDtype) ? DataType.FLOAT16 : DataType.FLOAT32;
            try (Basis basis = new Basis(manager, d, rows, Basis.DEFAULT_TOLERANCE, storage)) {
                for (int i = 0; i < rows; i++) {
                    try (NDManager scope = manager.newSubManager()) {
                        basis.add(i, scope.randomNormal(new Shape(d)));
                    }
                }
                double[] step = stepTimes(block, manager, basis, trainable, batches);
                double[] projections = projectionTimes(basis, manager, d);
                Long peak = ResidentMemory.peakMegabytes().isPresent() ? ResidentMemory.peakMegabytes().getAsLong() : null;
                double copy = copyBytesPerSecond(manager, 64L << 20);
                double bound = 2.0 * rows * d * basis.storage().getNumOfBytes() / copy * 1e3;
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("model", model);
                result.put("input", chw.toString());
                result.put("D", d);
                result.put("n", basis.size());
                result.put("step_ms", step[0]);
                result.put("forward_backward_ms", step[0] - step[1]);
                result.put("update_ms", step[1]);
                result.put("project_ms", projections[0]);
                result.put("combine_ms", projections[1]);
                result.put("bound_ms", bound);
                result.put("projection_over_bound", (projections[0] + projections[1]) / bound);
                result.put("copy_gb_per_s", copy / 1e9);
                result.put("basis_dtype", basisDtype);
                result.put("basis_mib", basis.bytes() / 1048576.0);
                result.put("peak_rss_mib", peak); // before the bandwidth test's own 512 MB
                return result;
            }
        }
    }

    /** Median milliseconds of a whole TWA step and of its subspace update, the first three steps left out. */
    private double[] stepTimes(Block block, NDManager manager, Basis basis, FlatParameters trainable, BatchSource batches) {
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
        return new double[] {median(stepTimes.subList(3, stepTimes.size())), median(updateTimes.subList(3, updateTimes.size()))};
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

    /** The median of {@code values} (the mean of the middle two for an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
