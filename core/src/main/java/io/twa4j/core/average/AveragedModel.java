package io.twa4j.core.average;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import java.util.Objects;

/**
 * A running average of a model's weights, as PyTorch's {@code torch.optim.swa_utils.AveragedModel}:
 * the equal average of SWA, an exponential moving average (EMA), or any average function. Works
 * with any DJL training loop: it reads the block's parameter arrays in place, so call
 * {@link #update()} after the optimiser step (a DJL {@code Trainer}'s or twa4j's).
 *
 * <p>The average is one flat float32 vector of the tracked parameters (D floats beside the
 * model). DJL cannot copy a block, so instead of a second model there is {@link #swapIn()}: it
 * puts the average into the model and restores the training weights (and BatchNorm statistics)
 * when closed.
 *
 * <pre>{@code
 * try (AveragedModel swa = AveragedModel.equal(block, manager)) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         ... train one epoch ...
 *         if (epoch + 1 >= swaStart) {
 *             swa.update();
 *         }
 *     }
 *     try (AveragedModel.Swap swapped = swa.swapIn()) {
 *         BatchNormUpdate.run(block, manager, trainData); // statistics of the averaged weights
 *         ... evaluate or save the block ...
 *     } // the last SGD weights are back
 * }
 * }</pre>
 *
 * <p>Not thread-safe; not for use while another thread runs the model.
 */
public final class AveragedModel implements AutoCloseable {

    private static final NDIndex ALL = new NDIndex("...");

    /** Which of a block's parameters an average covers. */
    public enum Tracked {
        /** The trainable parameters only; BatchNorm statistics are recomputed with {@link BatchNormUpdate} (SWA). */
        TRAINABLE,
        /** Every parameter, BatchNorm running statistics included, averaged like weights (PyTorch's {@code use_buffers=True}). */
        ALL
    }

    /** How a new value enters the average (PyTorch's {@code avg_fn}). */
    @FunctionalInterface
    public interface AverageFunction {
        /**
         * The new average, created in {@code scope}, from the current {@code average}, the model's
         * {@code current} values and the number of values averaged so far ({@code averaged} ≥ 1).
         * Must not modify {@code average}.
         */
        NDArray apply(NDArray average, NDArray current, long averaged, NDManager scope);
    }

    private final Block block;
    private final FlatParameters tracked;
    private final AverageFunction function;
    private final NDManager storage;
    private NDArray average;
    private long count;

    private AveragedModel(Block block, NDManager manager, Tracked which, AverageFunction function) {
        this.block = Objects.requireNonNull(block, "block");
        this.tracked = new FlatParameters(which == Tracked.ALL ? ParameterLayout.all(block) : ParameterLayout.trainable(block));
        this.function = Objects.requireNonNull(function, "function");
        this.storage = manager.newSubManager();
    }

    /**
     * The equal (SWA) average of the trainable parameters: after n updates, the arithmetic mean of
     * the n values seen. Recompute BatchNorm statistics with {@link BatchNormUpdate} before use.
     */
    public static AveragedModel equal(Block block, NDManager manager) {
        return new AveragedModel(block, manager, Tracked.TRAINABLE, equalAverage());
    }

    /**
     * An exponential moving average of every parameter, BatchNorm statistics included:
     * {@code avg ← decay·avg + (1 − decay)·w}, the first update copying {@code w}. With
     * {@code warmup}, the n-th update (n ≥ 2, n − 1 values averaged before) uses
     * {@code min(decay, n / (n + 9))} (TensorFlow's {@code num_updates} rule), so early weights
     * are not over-weighted.
     */
    public static AveragedModel ema(Block block, NDManager manager, double decay, boolean warmup) {
        return new AveragedModel(block, manager, Tracked.ALL, exponential(decay, warmup));
    }

    /** An average of the {@code which} parameters of {@code block} under any {@code function}. */
    public static AveragedModel of(Block block, NDManager manager, Tracked which, AverageFunction function) {
        return new AveragedModel(block, manager, which, function);
    }

    /** The equal average: {@code avg + (w − avg) / (n + 1)}. */
    public static AverageFunction equalAverage() {
        return (average, current, averaged, scope) -> blend(average, current, 1.0 / (averaged + 1));
    }

    /** The exponential moving average with {@code decay} in [0, 1), with or without warm-up (see {@link #ema}). */
    public static AverageFunction exponential(double decay, boolean warmup) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        return (average, current, averaged, scope) -> blend(average, current, 1.0 - emaDecay(decay, warmup, averaged + 1));
    }

    /** The EMA decay that update number {@code n} (from 1) uses; the first update copies (decay 0). */
    public static double emaDecay(double decay, boolean warmup, long n) {
        if (n <= 1) {
            return 0;
        }
        return warmup ? Math.min(decay, (double) n / (n + 9)) : decay;
    }

    /** {@code avg + weight·(w − avg)}, every operation led by the scope-owned {@code current}. */
    private static NDArray blend(NDArray average, NDArray current, double weight) {
        return current.sub(average).muli(weight).addi(average);
    }

    /** Adds the model's current values to the average; the first call copies them. */
    public void update() {
        try (NDManager scope = storage.newSubManager()) {
            NDArray current = tracked.read(scope);
            if (average == null) {
                average = current;
                average.attach(storage);
            } else {
                average.set(ALL, function.apply(average, current, count, scope));
            }
        }
        count++;
    }

    /** How many times {@link #update()} has run (PyTorch's {@code n_averaged}). */
    public long count() {
        return count;
    }

    /** The parameters the average covers. */
    public ParameterLayout layout() {
        return tracked.layout();
    }

    /** A copy of the average as a flat vector in layout order, owned by {@code scope}. */
    public NDArray average(NDManager scope) {
        NDArray copy = requireAverage().duplicate();
        copy.attach(scope);
        return copy;
    }

    /**
     * Replaces the state with {@code values} (flat, layout order) averaged over {@code count}
     * updates: resuming an average saved with {@link #average} and {@link #count}.
     */
    public void restore(NDArray values, long count) {
        if (count < 1) {
            throw new IllegalArgumentException("an average of " + count + " values cannot be restored");
        }
        if (values.getShape().dimension() != 1 || values.size() != tracked.size()) {
            throw new IllegalArgumentException("average has shape " + values.getShape() + ", layout needs (" + tracked.size() + ")");
        }
        NDArray copy = values.toType(ai.djl.ndarray.types.DataType.FLOAT32, true);
        copy.attach(storage);
        if (average != null) {
            average.close();
        }
        average = copy;
        this.count = count;
    }

    /**
     * Writes the average into the model until the returned {@link Swap} is closed, which restores
     * every parameter of the model (BatchNorm statistics included) to its value before the swap.
     */
    public Swap swapIn() {
        requireAverage();
        FlatParameters everything = new FlatParameters(ParameterLayout.all(block));
        NDManager saved = storage.newSubManager();
        try {
            NDArray before = everything.read(saved);
            tracked.write(average);
            return new Swap(everything, before, saved);
        } catch (RuntimeException e) {
            saved.close();
            throw e;
        }
    }

    private NDArray requireAverage() {
        if (average == null) {
            throw new IllegalStateException("nothing averaged yet: call update() first");
        }
        return average;
    }

    @Override
    public void close() {
        storage.close();
    }

    /** The average swapped into the model; {@link #close()} puts the model's own values back. */
    public static final class Swap implements AutoCloseable {
        private final FlatParameters everything;
        private final NDArray before;
        private final NDManager saved;
        private boolean closed;

        private Swap(FlatParameters everything, NDArray before, NDManager saved) {
            this.everything = everything;
            this.before = before;
            this.saved = saved;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                everything.write(before);
            } finally {
                saved.close();
            }
        }
    }
}
