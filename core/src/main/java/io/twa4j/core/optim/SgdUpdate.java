package io.twa4j.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.params.ParameterLayout;
import java.util.ArrayList;
import java.util.List;

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
 */
public final class SgdUpdate implements UpdateRule, AutoCloseable {

    private final ParameterLayout layout;
    private final double momentum;
    private final double weightDecay;
    private final NDManager stateManager;
    private final List<NDArray> buffers = new ArrayList<>();

    /**
     * SGD over the trainable parameters in {@code layout}.
     *
     * @param layout the parameters to update
     * @param momentum the momentum factor, in [0, 1)
     * @param weightDecay the L2 coefficient added to the gradient, ≥ 0
     */
    public SgdUpdate(ParameterLayout layout, double momentum, double weightDecay) {
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
    }

    @Override
    public void step(double lr, NDManager scope) {
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
