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
        return interleaved(block, manager, List.of(rule), batches, new Turns(warmup, Integer.MAX_VALUE)).get(0);
    }

    /**
     * Which rule of several takes each step when they take turns of {@code length} steps (rule
     * {@code (k / length) mod r} takes step k), and which steps are timed: those after the first
     * {@code warmup} that are not the first of a turn, so that every timed step follows a step of
     * its own rule (a turn's first step runs after another rule's update has swept the caches).
     */
    record Turns(int warmup, int length) {

        Turns {
            if (warmup < 0 || length < 2) {
                throw new IllegalArgumentException("turns need warmup >= 0 and a length >= 2, got " + warmup + ", " + length);
            }
        }

        /** The rule of {@code rules} that takes step {@code k}. */
        int rule(long k, int rules) {
            return (int) ((k / length) % rules);
        }

        /** Whether step {@code k} is timed. */
        boolean timed(long k, int rules) {
            return k >= warmup && (rules == 1 || k % length != 0);
        }

        /** The fewest steps in which each of {@code rules} rules takes {@code timed} timed steps or more. */
        int stepsFor(int timed, int rules) {
            int[] counts = new int[rules];
            int k = 0;
            while (Arrays.stream(counts).min().getAsInt() < timed) {
                if (timed(k, rules)) {
                    counts[rule(k, rules)]++;
                }
                k++;
            }
            return k;
        }
    }

    /**
     * Runs every batch of {@code batches} (one epoch) through one training loop whose steps the
     * {@code rules} take by {@code turns} (learning rate 1e-3), and returns each rule's median split
     * over its timed steps: rules measured side by side, minutes of drift apart no longer (this
     * machine's step times drift by ±20% between minutes). The rules share the parameters; each
     * takes its step from wherever the others left them.
     */
    static List<Split> interleaved(Block block, NDManager manager, List<UpdateRule> rules, BatchSource batches, Turns turns) {
        List<Double> steps = new ArrayList<>();
        List<Double> updates = new ArrayList<>();
        UpdateRule timed = (lr, scope) -> {
            UpdateRule rule = rules.get(turns.rule(updates.size(), rules.size()));
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
        List<Split> splits = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            List<Double> ruleSteps = new ArrayList<>();
            List<Double> ruleUpdates = new ArrayList<>();
            for (int k = 0; k < steps.size(); k++) {
                if (turns.rule(k, rules.size()) == r && turns.timed(k, rules.size())) {
                    ruleSteps.add(steps.get(k));
                    ruleUpdates.add(updates.get(k));
                }
            }
            if (ruleSteps.isEmpty()) {
                throw new IllegalStateException("rule " + r + " took no timed step of " + steps.size());
            }
            double step = median(ruleSteps);
            double update = median(ruleUpdates);
            splits.add(new Split(step, step - update, update));
        }
        return splits;
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
