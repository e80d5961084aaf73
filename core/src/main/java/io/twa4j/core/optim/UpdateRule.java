package io.twa4j.core.optim;

import ai.djl.ndarray.NDManager;

/**
 * How one optimiser step turns the accumulated gradients into new parameter values. Plain SGD and
 * TWA's subspace SGD are both update rules; the training loop does not know which it runs.
 */
public interface UpdateRule {

    /**
     * Applies one update with learning rate {@code lr}. Gradients have been accumulated on the
     * parameters by the backward pass; the caller zeroes them afterwards. Temporaries go into
     * {@code scope}, which the caller closes after the step.
     */
    void step(double lr, NDManager scope);
}
