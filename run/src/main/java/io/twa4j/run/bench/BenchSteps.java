package io.twa4j.run.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.RowEncoding;
import io.twa4j.vision.data.ImageBatchSource;
import io.twa4j.vision.data.ImageSet;
import io.twa4j.vision.data.SyntheticImages;
import io.twa4j.vision.models.ModelZoo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the benches share: a model on synthetic images, a random basis, and timed training steps. */
final class BenchSteps {

    private BenchSteps() {}

    /** The input a bench gives {@code model} unless told: cnn 1×28×28, every other model 3×32×32. */
    static Shape defaultInput(String model) {
        return "cnn".equals(model) ? new Shape(1, 28, 28) : new Shape(3, 32, 32);
    }

    /** {@code batches} shuffled batches of {@code batchSize} seeded synthetic images of shape {@code chw}. */
    static BatchSource syntheticBatches(Shape chw, int batchSize, int batches) {
        ImageSet images = SyntheticImages.generate(7, batchSize * batches, 10, (int) chw.get(0), (int) chw.get(1), (int) chw.get(2));
        return ImageBatchSource.builder(images).setBatchSize(batchSize).optSeed(1).build();
    }

    /** {@code model} for 10 classes, initialised on {@code manager} for inputs {@code chw} (engine seed 1). */
    static Block model(String model, Shape chw, NDManager manager) {
        Engine.getInstance().setRandomSeed(1);
        Block block = ModelZoo.build(model, 10, (int) chw.get(0));
        block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(chw));
        return block;
    }

    /**
     * A basis of {@code rows} random directions for {@code trainable} (what they are does not change
     * the cost; every rank draws the same), split by columns over {@code shards}.
     */
    static Basis randomBasis(FlatParameters trainable, NDManager manager, int rows, RowEncoding encoding, Collective shards) {
        Basis basis = new Basis(manager, trainable.size(), rows, Basis.DEFAULT_TOLERANCE, encoding, shards);
        for (int i = 0; i < rows; i++) {
            try (NDManager scope = manager.newSubManager()) {
                Engine.getInstance().setRandomSeed(100 + i);
                basis.add(i, scope.randomNormal(new Shape(trainable.size())));
            }
        }
        return basis;
    }

    /**
     * Median milliseconds of a training step, of its forward/backward (with the loss and accuracy
     * read, as the loop reads them) and of its update.
     */
    record Split(double stepMs, double forwardBackwardMs, double updateMs) {}

    /**
     * Runs every batch of {@code batches} (one epoch) through the training loop with {@code rule}
     * (learning rate 1e-3) and returns the median split of the steps after the first {@code warmup}.
     */
    static Split time(Block block, NDManager manager, UpdateRule rule, BatchSource batches, int warmup) {
        List<Double> steps = new ArrayList<>();
        List<Double> updates = new ArrayList<>();
        UpdateRule timed = (lr, scope) -> {
            long started = System.nanoTime();
            rule.step(lr, scope); // ends with the parameters written: nothing is pending
            updates.add((System.nanoTime() - started) / 1e6);
        };
        TrainingLoop.builder().setBlock(block).setManager(manager).setUpdateRule(timed)
                .setSchedule(Schedules.constant(1e-3))
                .addListener(new TrainingListener() {
                    private long last = System.nanoTime();

                    @Override
                    public void onStep(StepEvent step) {
                        long now = System.nanoTime();
                        steps.add((now - last) / 1e6);
                        last = now;
                    }
                })
                .build()
                .run(batches, null, 0, 1);
        double step = median(steps.subList(warmup, steps.size()));
        double update = median(updates.subList(warmup, updates.size()));
        return new Split(step, step - update, update);
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
