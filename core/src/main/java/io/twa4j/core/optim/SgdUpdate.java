package io.twa4j.core.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.params.FlatFloats;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Stochastic gradient descent with momentum and weight decay, with PyTorch's semantics
 * ({@code torch.optim.SGD}, dampening 0, no Nesterov):
 *
 * <pre>
 *   d   = g + wd * w
 *   buf = momentum * buf + d        (buf = d on the first step)
 *   w   = w - lr * buf
 * </pre>
 *
 * <p>Unlike DJL's {@code Sgd}, the learning rate is not inside the momentum buffer, so a change of
 * learning rate takes effect at once, as in PyTorch. The momentum buffers live in their own
 * manager, released by {@link #close()}.
 *
 * <p>On the CPU the three lines are one pass in Java over views of the parameters', gradients' and
 * buffers' memory ({@link FlatParameters#view()}), {@value #CHUNK} entries at a time on the
 * fork-join pool: each entry of w, g and buf is read once and w and buf written once, with no
 * temporaries and no engine call per parameter (the engine's ops make six passes and a scalar
 * array per parameter). The float32 operations are the engine's, in its order, so both ways give
 * the same bits; parameters elsewhere take the engine's ops.
 */
public final class SgdUpdate implements UpdateRule, AutoCloseable {

    private final ParameterLayout layout;
    private final double momentum;
    private final double weightDecay;
    private final NDManager stateManager;
    private final List<NDArray> buffers = new ArrayList<>();
    /** Entries a task of the pass over views takes (the pass copies them {@link #CHUNK} at a time). */
    static final int TASK = 1 << 16;
    /** Entries copied into a task's buffers at a time. */
    static final int CHUNK = 4096;
    /** Each thread's three chunk buffers, kept: a step makes no garbage (per-task arrays made the heap grow). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][CHUNK]);
    private final FlatParameters parameters;
    /** What each momentum buffer is, for the views' errors ("momentum buffer of conv.weight"). */
    private final List<String> bufferNames;
    private final boolean inJava;
    /** Whether the buffers' views have been checked (since they were made or restored). */
    private boolean buffersChecked;

    /**
     * SGD over the trainable parameters in {@code layout}.
     *
     * @param layout the parameters to update
     * @param momentum the momentum factor, in [0, 1)
     * @param weightDecay the L2 coefficient added to the gradient, ≥ 0
     */
    public SgdUpdate(ParameterLayout layout, double momentum, double weightDecay) {
        this(layout, momentum, weightDecay, true);
    }

    private SgdUpdate(ParameterLayout layout, double momentum, double weightDecay, boolean javaOnCpu) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.layout = layout;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        NDManager parameterManager = layout.entries().get(0).array().getManager();
        this.stateManager = parameterManager.newSubManager();
        this.parameters = new FlatParameters(layout);
        this.bufferNames = layout.entries().stream().map(entry -> "momentum buffer of " + entry.name()).toList();
        this.inJava = javaOnCpu && layout.entries().stream().allMatch(entry -> entry.array().getDevice().getDeviceType().equals(Device.Type.CPU));
    }

    /** The same rule on the engine's ops, parameter by parameter, wherever the parameters are (a test compares the two ways). */
    static SgdUpdate onEngine(ParameterLayout layout, double momentum, double weightDecay) {
        return new SgdUpdate(layout, momentum, weightDecay, false);
    }

    @Override
    public void step(double lr, NDManager scope) {
        if (inJava) {
            stepInJava(lr, scope);
        } else {
            stepOnEngine(lr, scope);
        }
    }

    /** The three lines, entry by entry, over views of the memory (see the class comment). */
    private void stepInJava(double lr, NDManager scope) {
        boolean first = buffers.isEmpty();
        if (first) {
            for (ParameterLayout.Entry entry : layout.entries()) {
                buffers.add(stateManager.zeros(entry.shape()));
            }
            buffersChecked = false;
        }
        FlatFloats w = parameters.view();
        FlatFloats g = parameters.gradientView(scope);
        FlatFloats buf = FlatParameters.memoryOf(bufferNames, buffers, !buffersChecked);
        buffersChecked = true;
        Factors factors = new Factors((float) lr, (float) weightDecay, (float) momentum, first);
        long d = layout.size();
        int tasks = Math.toIntExact((d + TASK - 1) / TASK);
        IntStream.range(0, tasks).parallel().forEach(task -> {
            float[][] scratch = SCRATCH.get();
            float[] weights = scratch[0];
            float[] gradients = scratch[1];
            float[] momenta = scratch[2];
            long end = Math.min(d, (long) (task + 1) * TASK);
            for (long from = (long) task * TASK; from < end; from += CHUNK) {
                int length = (int) Math.min(CHUNK, end - from);
                w.get(from, weights, 0, length);
                g.get(from, gradients, 0, length);
                if (!first) {
                    buf.get(from, momenta, 0, length);
                }
                factors.apply(weights, gradients, momenta, length);
                buf.put(from, momenta, 0, length);
                w.put(from, weights, 0, length);
            }
        });
    }

    /** The step's numbers in float32, as the engine's ops take them; on the first step buf = d. */
    private record Factors(float lr, float weightDecay, float momentum, boolean first) {

        /** The three lines over entries {@code [0, length)}, in place in {@code w} and {@code buf}. */
        void apply(float[] w, float[] g, float[] buf, int length) {
            for (int i = 0; i < length; i++) {
                float direction = weightDecay != 0 ? g[i] + weightDecay * w[i] : g[i];
                buf[i] = first ? direction : buf[i] * momentum + direction;
                w[i] = w[i] - lr * buf[i];
            }
        }
    }

    private void stepOnEngine(double lr, NDManager scope) {
        boolean first = buffers.isEmpty();
        for (int i = 0; i < layout.entries().size(); i++) {
            NDArray weight = layout.entries().get(i).array();
            NDArray direction = weight.getGradient();
            direction.attach(scope);
            if (weightDecay != 0) {
                // scope-owned first operands keep the results (and scalars) off the model's manager
                direction.addi(scope.create((float) weightDecay).mul(weight));
            }
            NDArray buffer;
            if (first) {
                buffer = direction.duplicate();
                buffer.attach(stateManager);
                buffers.add(buffer);
            } else {
                buffer = buffers.get(i);
                buffer.muli(scope.create((float) momentum)).addi(direction);
            }
            weight.subi(scope.create((float) lr).mul(buffer));
        }
    }

    /** The parameters this SGD updates. */
    public ParameterLayout layout() {
        return layout;
    }

    /** The momentum buffers in layout order (empty before the first step); live arrays, not copies. */
    public List<NDArray> buffers() {
        return List.copyOf(buffers);
    }

    /**
     * Replaces the momentum buffers with copies of {@code saved} (layout order, shapes as the
     * parameters'), as {@link #buffers()} returned them when a run's state was saved; an empty
     * list means no step has been taken.
     */
    public void restore(List<NDArray> saved) {
        if (!saved.isEmpty() && saved.size() != layout.entries().size()) {
            throw new IllegalArgumentException("expected " + layout.entries().size() + " momentum buffers, got " + saved.size());
        }
        for (int i = 0; i < saved.size(); i++) {
            if (!saved.get(i).getShape().equals(layout.entries().get(i).shape())) {
                throw new IllegalArgumentException("momentum buffer of " + layout.entries().get(i).name() + " has shape "
                        + saved.get(i).getShape() + ", the parameter " + layout.entries().get(i).shape());
            }
        }
        buffers.forEach(NDArray::close);
        buffers.clear();
        buffersChecked = false;
        for (NDArray buffer : saved) {
            NDArray copy = buffer.toType(ai.djl.ndarray.types.DataType.FLOAT32, true);
            copy.attach(stateManager);
            buffers.add(copy);
        }
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
