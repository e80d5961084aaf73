package io.twa4j.core.parallel;

import ai.djl.ndarray.NDManager;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;

/**
 * Data-parallel SGD's exchange: before {@code inner} reads the gradients, the flat gradient of
 * every rank is summed over the ranks, so each applies the same update to the same weights.
 *
 * <p>Each rank's gradient is that of its rows' summed loss divided by the <em>global</em> batch
 * size (the training loop computes it so), hence {@code Σ_r g_r} is the gradient of the global
 * batch's mean loss: exactly the gradient one process computes on the same batch, up to float
 * rounding. One D-length all-reduce per step (not bucketed, not overlapped with the backward
 * pass: DJL gives no hook per parameter).
 */
public final class AllReducedGradients implements UpdateRule {

    private final FlatParameters parameters;
    private final Collective collective;
    private final UpdateRule inner;

    /**
     * @param parameters the trainable parameters whose gradients are exchanged
     * @param collective the ranks
     * @param inner the update applied to the summed gradients (e.g. {@link io.twa4j.core.optim.SgdUpdate})
     */
    public AllReducedGradients(FlatParameters parameters, Collective collective, UpdateRule inner) {
        this.parameters = parameters;
        this.collective = collective;
        this.inner = inner;
    }

    @Override
    public void step(double lr, NDManager scope) {
        if (collective.size() > 1) {
            float[] gradient = parameters.readGradient(scope).toFloatArray();
            collective.allReduceSum(gradient);
            parameters.writeGradient(scope.create(gradient));
        }
        inner.step(lr, scope);
    }
}
