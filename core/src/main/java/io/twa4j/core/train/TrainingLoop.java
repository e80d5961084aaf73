package io.twa4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.parallel.EngineThreads;
import io.twa4j.core.parallel.Replicas;
import io.twa4j.core.parallel.Shard;
import io.twa4j.core.parallel.Sums;
import io.twa4j.core.schedule.LrSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

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
    private final BooleanSupplier stopRequest;
    private final Long stepSeed;
    private final double labelSmoothing;
    private final Collective collective;
    private final Shard shard;

    private TrainingLoop(Builder builder) {
        this.block = builder.block;
        this.manager = builder.manager;
        this.updateRule = builder.updateRule;
        this.schedule = builder.schedule;
        this.listeners = List.copyOf(builder.listeners);
        this.trainable = new FlatParameters(ParameterLayout.trainable(block));
        this.collective = builder.collective;
        this.shard = Shard.of(collective);
        this.evaluator = new Evaluator(block, manager, collective);
        this.stopRequest = builder.stopRequest;
        this.stepSeed = builder.stepSeed;
        this.labelSmoothing = builder.labelSmoothing;
    }

    /** A builder; block, manager, update rule and schedule are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where a run starts: at the beginning ({@link #at}) or part-way into an epoch when resuming,
     * with the epoch's running totals so far, so that the epoch's metrics come out as if the run
     * had never stopped.
     *
     * @param epoch the epoch (from 0)
     * @param step the steps of that epoch already done
     * @param lossSum the sum of batch loss × batch size over those steps
     * @param correct the correctly classified training examples over those steps
     * @param seen the training examples over those steps
     * @param resumed whether this continues an earlier run (listeners then take no initial snapshot)
     */
    public record Position(int epoch, int step, double lossSum, long correct, long seen, boolean resumed) {

        /** The start of epoch {@code epoch} of a new run. */
        public static Position at(int epoch) {
            return new Position(epoch, 0, 0, 0, 0, false);
        }
    }

    /**
     * Trains epochs {@code firstEpoch} … {@code epochs − 1} (from 0), evaluating on {@code test}
     * after each when it is not null.
     *
     * @throws NonFiniteLossException when a batch's loss is NaN or infinite (no update applied), or
     *     an epoch's test loss (before the listeners hear of the epoch's end)
     * @throws TrainingStoppedException when the stop request was raised (after the listeners' {@code onStop})
     */
    public void run(BatchSource train, BatchSource test, int firstEpoch, int epochs) {
        run(train, test, Position.at(firstEpoch), epochs);
    }

    /**
     * Trains from {@code from} to the end of epoch {@code epochs − 1}. A resumed position skips
     * the batches of its epoch already done (reading them, so that data order and augmentation
     * continue exactly).
     */
    public void run(BatchSource train, BatchSource test, Position from, int epochs) {
        int stepsPerEpoch = train.batchesPerEpoch();
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException("the training set is empty");
        }
        if (from.step() < 0 || from.step() > stepsPerEpoch) {
            throw new IllegalArgumentException("cannot start at step " + from.step() + " of an epoch of " + stepsPerEpoch);
        }
        TrainingListener.RunInfo info = new TrainingListener.RunInfo(
                from.epoch(), epochs, stepsPerEpoch, schedule.at(from.epoch(), Math.min(from.step(), stepsPerEpoch - 1), stepsPerEpoch),
                from.step(), from.resumed());
        EngineThreads.prepare();
        if (shard.split()) {
            try (NDManager scope = manager.newSubManager()) {
                Replicas.copyFromLeader(collective, new FlatParameters(ParameterLayout.all(block)), scope);
            }
        }
        listeners.forEach(listener -> listener.onRunStart(info));
        for (int epoch = from.epoch(); epoch < epochs; epoch++) {
            runEpoch(train, test, epoch, epoch == from.epoch() && from.step() > 0 ? from : Position.at(epoch), stepsPerEpoch);
        }
        listeners.forEach(TrainingListener::onRunEnd);
    }

    /** The engine seed of step {@code globalStep} of a run seeded with {@code seed} (a SplitMix64 mix of the two). */
    static int stepSeed(long seed, long globalStep) {
        long z = seed * 0x9E3779B97F4A7C15L + globalStep + 1;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) ((z ^ (z >>> 31)) & 0x7fffffff);
    }

    /** One epoch from {@code from} (its start, or a position within it with the totals so far), then its evaluation. */
    private void runEpoch(BatchSource train, BatchSource test, int epoch, Position from, int stepsPerEpoch) {
        long started = System.nanoTime();
        double lossSum = from.lossSum();
        long correct = from.correct();
        long seen = from.seen();
        long waitNanos;
        double firstLr = schedule.at(epoch, 0, stepsPerEpoch);
        try (BatchSource.BatchIterator batches = train.epoch(epoch)) {
            for (int skipped = 0; skipped < from.step() && batches.hasNext(); skipped++) {
                batches.next();
            }
            for (int step = from.step(); batches.hasNext(); step++) {
                HostBatch batch = batches.next();
                double lr = schedule.at(epoch, step, stepsPerEpoch);
                long globalStep = (long) epoch * stepsPerEpoch + step;
                if (stepSeed != null) {
                    // the engine's random state (dropout) is a function of the position, so a resumed run continues it
                    manager.getEngine().setRandomSeed(stepSeed(stepSeed, globalStep));
                }
                StepResult result = step(batch, epoch, step, lr);
                lossSum += result.loss() * batch.size();
                correct += result.correct();
                seen += batch.size();
                TrainingListener.StepEvent event = new TrainingListener.StepEvent(
                        epoch, step, stepsPerEpoch, globalStep, lr, result.loss(), lossSum / seen, lossSum, correct, seen);
                listeners.forEach(listener -> listener.onStep(event));
                // ranks stop together: each one's request travels with the step's totals
                if (shard.split() ? result.stopRequested() : stopRequest.getAsBoolean()) {
                    listeners.forEach(listener -> listener.onStop(event));
                    throw new TrainingStoppedException(epoch, step + 1, stepsPerEpoch);
                }
            }
            waitNanos = batches.waitNanos();
        }
        Evaluation testResult = test == null ? null : evaluator.evaluate(test);
        if (testResult != null && !Double.isFinite(testResult.loss())) {
            // finite training losses can leave weights whose test loss overflows: that is divergence too
            throw NonFiniteLossException.inEvaluation(testResult.loss(), epoch, stepsPerEpoch - 1);
        }
        TrainingListener.EpochEvent event = new TrainingListener.EpochEvent(epoch + 1, firstLr, lossSum / seen, (double) correct / seen,
                testResult, (System.nanoTime() - started) / 1e9, waitNanos / 1e9);
        listeners.forEach(listener -> listener.onEpochEnd(event));
    }

    /**
     * The loss of a step and how many of its examples were classified correctly (before the
     * update); in a data-parallel run also whether any rank was asked to stop.
     */
    private record StepResult(double loss, long correct, boolean stopRequested) {}

    /** Forward, backward and the update on one batch, every temporary array in a scope of the step. */
    private StepResult step(HostBatch batch, int epoch, int step, double lr) {
        try (NDManager scope = manager.newSubManager()) {
            StepResult result = shard.split() ? shardBackward(batch, scope) : backward(batch, scope);
            if (!Double.isFinite(result.loss())) {
                trainable.zeroGradients();
                throw new NonFiniteLossException(result.loss(), epoch, step);
            }
            updateRule.step(lr, scope);
            trainable.zeroGradients();
            return result;
        }
    }

    /** Forward and backward of the batch's mean loss. */
    private StepResult backward(HostBatch batch, NDManager scope) {
        NDArray labels = batch.labels(scope);
        Pass pass = forwardBackward(batch, labels, NDArray::mean, scope);
        double loss = pass.loss().getFloat();
        return new StepResult(loss, Double.isFinite(loss) ? Evaluator.correct(pass.logits(), labels) : 0, false);
    }

    /**
     * Forward and backward of this rank's rows of the global batch ({@link Shard}), on their summed
     * loss divided by the global batch size, so that the gradients summed over the ranks are the
     * global batch's; the loss, the count of correct examples and the ranks' stop requests are
     * summed over the ranks. A rank left without rows (a last batch smaller than the world) runs
     * its first row with weight 0.
     */
    private StepResult shardBackward(HostBatch global, NDManager scope) {
        int from = shard.rowsFrom(global.size());
        int to = shard.rowsTo(global.size());
        boolean empty = from == to;
        HostBatch rows = empty ? global.rows(0, 1) : global.rows(from, to);
        NDArray labels = rows.labels(scope);
        float weight = empty ? 0f : 1f / global.size();
        Pass pass = forwardBackward(rows, labels, perExample -> perExample.sum().mul(weight), scope);
        double[] totals = {empty ? 0 : pass.loss().getFloat() * (double) global.size(),
            empty ? 0 : Evaluator.correct(pass.logits(), labels), stopRequest.getAsBoolean() ? 1 : 0};
        totals = Sums.overRanks(collective, totals);
        return new StepResult(totals[0] / global.size(), Math.round(totals[1]), totals[2] > 0);
    }

    /** The logits of a forward pass and the loss whose gradient the backward pass accumulated. */
    private record Pass(NDArray logits, NDArray loss) {}

    /** Forward and backward on {@code batch} of the loss that {@code reduction} makes of the per-example cross-entropy. */
    private Pass forwardBackward(HostBatch batch, NDArray labels, UnaryOperator<NDArray> reduction, NDManager scope) {
        return EngineThreads.backward(() -> {
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray logits = Evaluator.forward(block, scope, batch.features(scope), true);
                NDArray perExample = Evaluator.crossEntropy(logits, labels, labelSmoothing);
                NDArray loss = reduction.apply(perExample);
                collector.backward(loss);
                return new Pass(logits, loss);
            }
        });
    }

    /** Builds a {@link TrainingLoop}. */
    public static final class Builder {
        private Block block;
        private NDManager manager;
        private UpdateRule updateRule;
        private LrSchedule schedule;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private BooleanSupplier stopRequest = () -> false;
        private Long stepSeed;
        private double labelSmoothing;
        private Collective collective = Collective.single();

        private Builder() {}

        /**
         * Trains data-parallel on the ranks of {@code collective}: every rank runs the same loop on
         * the same batches and takes its rows of each ({@link Shard}); the update rule must
         * exchange what the ranks need (e.g. {@link io.twa4j.core.parallel.AllReducedGradients}).
         * At the start every rank takes rank 0's weights; evaluations are shared and summed. Only
         * rank 0's listeners should write anything. Default: one process.
         */
        public Builder optCollective(Collective collective) {
            this.collective = Objects.requireNonNull(collective);
            return this;
        }

        /**
         * Asked after every step; when it answers true the loop calls the listeners' {@code
         * onStop} and throws {@link TrainingStoppedException} (a signal handler raises it).
         */
        public Builder optStopRequest(BooleanSupplier stopRequest) {
            this.stopRequest = Objects.requireNonNull(stopRequest);
            return this;
        }

        /**
         * Seeds the engine's random generator before every step from {@code seed} and the step's
         * position, so that random layers (dropout) draw the same numbers in a resumed run.
         */
        public Builder optStepSeed(long seed) {
            this.stepSeed = seed;
            return this;
        }

        /**
         * Trains on the cross-entropy with label smoothing ε in [0, 1) (PyTorch's {@code
         * label_smoothing}); evaluation keeps the plain cross-entropy. Default 0.
         */
        public Builder optLabelSmoothing(double smoothing) {
            if (!(smoothing >= 0 && smoothing < 1)) {
                throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
            }
            this.labelSmoothing = smoothing;
            return this;
        }

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
