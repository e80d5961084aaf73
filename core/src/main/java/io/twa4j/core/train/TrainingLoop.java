package io.twa4j.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.LrSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one training loop of twa4j: epochs over batches, cross-entropy loss, a pluggable
 * {@link UpdateRule}, a learning-rate schedule and listeners. Regular training, SWA and TWA all
 * run through it.
 *
 * <p>Each step runs in its own sub-manager, closed at the end of the step, so nothing accumulates
 * across steps.
 */
public final class TrainingLoop {

    private final Block block;
    private final NDManager manager;
    private final UpdateRule updateRule;
    private final LrSchedule schedule;
    private final List<TrainingListener> listeners;
    private final FlatParameters trainable;
    private final Evaluator evaluator;

    private TrainingLoop(Builder builder) {
        this.block = builder.block;
        this.manager = builder.manager;
        this.updateRule = builder.updateRule;
        this.schedule = builder.schedule;
        this.listeners = List.copyOf(builder.listeners);
        this.trainable = new FlatParameters(ParameterLayout.trainable(block));
        this.evaluator = new Evaluator(block, manager);
    }

    /** A builder; block, manager, update rule and schedule are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains epochs {@code firstEpoch} … {@code epochs − 1} (from 0), evaluating on {@code test}
     * after each when it is not null.
     *
     * @throws NonFiniteLossException when a batch's loss is NaN or infinite (no update applied)
     */
    public void run(BatchSource train, BatchSource test, int firstEpoch, int epochs) {
        int stepsPerEpoch = train.batchesPerEpoch();
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        TrainingListener.RunInfo info = new TrainingListener.RunInfo(
                firstEpoch, epochs, stepsPerEpoch, schedule.at(firstEpoch, 0, stepsPerEpoch));
        listeners.forEach(listener -> listener.onRunStart(info));
        Engine engine = manager.getEngine();
        for (int epoch = firstEpoch; epoch < epochs; epoch++) {
            long started = System.nanoTime();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            long waitNanos;
            double firstLr = schedule.at(epoch, 0, stepsPerEpoch);
            try (BatchSource.BatchIterator batches = train.epoch(epoch)) {
                for (int step = 0; batches.hasNext(); step++) {
                    HostBatch batch = batches.next();
                    double lr = schedule.at(epoch, step, stepsPerEpoch);
                    double loss;
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray labels = batch.labels(scope);
                        NDArray logits;
                        NDArray batchLoss;
                        try (GradientCollector collector = engine.newGradientCollector()) {
                            logits = Evaluator.forward(block, scope, batch.features(scope), true);
                            batchLoss = Evaluator.crossEntropy(logits, labels).mean();
                            collector.backward(batchLoss);
                        }
                        loss = batchLoss.getFloat();
                        if (!Double.isFinite(loss)) {
                            trainable.zeroGradients();
                            throw new NonFiniteLossException(loss, epoch, step);
                        }
                        correct += Evaluator.correct(logits, labels);
                        updateRule.step(lr, scope);
                        trainable.zeroGradients();
                    }
                    lossSum += loss * batch.size();
                    seen += batch.size();
                    TrainingListener.StepEvent event = new TrainingListener.StepEvent(
                            epoch, step, stepsPerEpoch, (long) epoch * stepsPerEpoch + step, lr, loss, lossSum / seen);
                    listeners.forEach(listener -> listener.onStep(event));
                }
                waitNanos = batches.waitNanos();
            }
            Evaluation testResult = test == null ? null : evaluator.evaluate(test);
            TrainingListener.EpochEvent event = new TrainingListener.EpochEvent(
                    epoch + 1,
                    firstLr,
                    lossSum / seen,
                    (double) correct / seen,
                    testResult,
                    (System.nanoTime() - started) / 1e9,
                    waitNanos / 1e9);
            listeners.forEach(listener -> listener.onEpochEnd(event));
        }
        listeners.forEach(TrainingListener::onRunEnd);
    }

    /** Builds a {@link TrainingLoop}. */
    public static final class Builder {
        private Block block;
        private NDManager manager;
        private UpdateRule updateRule;
        private LrSchedule schedule;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder() {}

        /** The initialised block to train. */
        public Builder setBlock(Block block) {
            this.block = block;
            return this;
        }

        /** The manager that owns the block's parameters; steps run in sub-managers of it. */
        public Builder setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        /** How gradients become updates. */
        public Builder setUpdateRule(UpdateRule updateRule) {
            this.updateRule = updateRule;
            return this;
        }

        /** The learning-rate schedule. */
        public Builder setSchedule(LrSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Adds a listener; listeners are called in the order added. */
        public Builder addListener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /** The loop; fails when a required part is missing. */
        public TrainingLoop build() {
            Objects.requireNonNull(block, "block is required");
            Objects.requireNonNull(manager, "manager is required");
            Objects.requireNonNull(updateRule, "update rule is required");
            Objects.requireNonNull(schedule, "schedule is required");
            return new TrainingLoop(this);
        }
    }
}
