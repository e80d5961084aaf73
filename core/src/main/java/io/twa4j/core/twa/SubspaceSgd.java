package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;

/**
 * TWA's training rule in coefficient form: the trainable parameters are {@code w = Pᵀα} for an
 * orthonormal basis P, and momentum SGD with weight decay runs on the n coefficients α:
 *
 * <pre>
 *   d   = P g + wd · α
 *   buf = momentum · buf + d        (buf = d on the first step)
 *   α   = α − lr · buf
 *   w   = Pᵀ α                      (written into the model in place)
 * </pre>
 *
 * <p>This is exactly the reference's projected SGD ({@code g ← Pᵀ(P g)}, then
 * {@code torch.optim.SGD} with momentum and weight decay on w): with w in the span and P Pᵀ = I,
 * {@code P(Pᵀ P g + wd w) = P g + wd α} and every buffer stays in the span. The optimiser state
 * is n numbers (kept in double on the host), each step makes two passes over P, and in a
 * multi-node run only {@code P g} (n numbers) needs to travel.
 *
 * <p>With a float32 basis the weights are materialised as {@code Pᵀα} every step. With a
 * float16 basis that product would round the weights to 11 bits, so each step adds
 * {@code Pᵀ Δα} to the float32 weights instead: only the step is rounded.
 */
public final class SubspaceSgd implements UpdateRule {

    private final Basis basis;
    private final FlatParameters parameters;
    private final double momentum;
    private final double weightDecay;
    private final double[] alpha;
    private final Collective collective;
    private double[] buffer;

    /**
     * Subspace SGD starting at coordinates {@code start} (length n); writes {@code Pᵀ start} into
     * the parameters at once.
     */
    public SubspaceSgd(Basis basis, FlatParameters parameters, double momentum, double weightDecay, double[] start) {
        this(basis, parameters, new Hyperparameters(momentum, weightDecay), start, Collective.single());
    }

    /**
     * Momentum and weight decay of the coefficients' SGD.
     *
     * @param momentum the momentum factor, in [0, 1)
     * @param weightDecay the L2 coefficient on α, ≥ 0
     */
    public record Hyperparameters(double momentum, double weightDecay) {}

    /**
     * Data-parallel subspace SGD: every rank holds the whole basis and computes {@code P g_r} from
     * its share of the batch; the n numbers are summed over the ranks of {@code collective}
     * ({@code P g = Σ_r P g_r}, the gradient being linear), so every rank applies the same update
     * to the same α and materialises the same {@code w = Pᵀα}. n floats per step travel, against
     * the D-length gradient of data-parallel SGD.
     */
    public SubspaceSgd(Basis basis, FlatParameters parameters, Hyperparameters hyper, double[] start, Collective collective) {
        double momentum = hyper.momentum();
        double weightDecay = hyper.weightDecay();
        if (parameters.size() != basis.dimension()) {
            throw new IllegalArgumentException(
                    "the model has " + parameters.size() + " trainable parameters, the basis " + basis.dimension());
        }
        if (start.length != basis.size()) {
            throw new IllegalArgumentException("start has " + start.length + " coordinates, the basis " + basis.size() + " rows");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.basis = basis;
        this.parameters = parameters;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        if (basis.sharded() && basis.shards() != collective) {
            throw new IllegalArgumentException("a sharded basis must be trained on the collective it is split on");
        }
        this.collective = collective;
        this.alpha = start.clone();
        materialise();
    }

    @Override
    public void step(double lr, NDManager scope) {
        float[] projected = projectedGradient(scope);
        boolean first = buffer == null;
        if (first) {
            buffer = new double[alpha.length];
        }
        double[] change = new double[alpha.length];
        for (int j = 0; j < alpha.length; j++) {
            double direction = projected[j] + weightDecay * alpha[j];
            buffer[j] = first ? direction : momentum * buffer[j] + direction;
            change[j] = -lr * buffer[j];
            alpha[j] += change[j];
        }
        if (basis.storage() == DataType.FLOAT32) {
            write(scope);
        } else {
            // a half-precision Pᵀα would round the weights themselves; round only the step
            parameters.add(basis.combine(change, scope));
        }
    }

    /**
     * {@code P g} for the whole batch's gradient g: each rank projects its own gradient and the n
     * numbers are summed; a rank of a {@link Basis#sharded} basis holds only its columns of P, so
     * the D-length gradient is summed first (the reference's design: the D-length exchanges are
     * paid, here for the gradient and in {@link Basis#combine} for {@code Pᵀα}).
     */
    private float[] projectedGradient(NDManager scope) {
        if (blockwise()) {
            float[] projected = blockwiseProjection(scope);
            collective.allReduceSum(projected);
            return projected;
        }
        NDArray gradient = parameters.readGradient(scope);
        if (basis.sharded()) {
            float[] summed = gradient.toFloatArray();
            collective.allReduceSum(summed);
            return basis.project(scope.create(summed), scope).toFloatArray();
        }
        float[] projected = basis.project(gradient, scope).toFloatArray();
        collective.allReduceSum(projected);
        return projected;
    }

    /** The current coordinates α (a copy). */
    public double[] coefficients() {
        return alpha.clone();
    }

    /** The momentum buffer (a copy; zeros before the first step). */
    public double[] momentumBuffer() {
        return buffer == null ? new double[alpha.length] : buffer.clone();
    }

    /**
     * Puts back saved coordinates and momentum buffer ({@code null} before the first step), as
     * {@link #coefficients()} and {@link #momentumBuffer()} returned them; the parameters are not
     * touched (a resumed run restores them from the same state).
     */
    public void restore(double[] coefficients, double[] momentumBuffer) {
        if (coefficients.length != alpha.length || (momentumBuffer != null && momentumBuffer.length != alpha.length)) {
            throw new IllegalArgumentException("expected " + alpha.length + " coordinates");
        }
        System.arraycopy(coefficients, 0, alpha, 0, alpha.length);
        buffer = momentumBuffer == null ? null : momentumBuffer.clone();
    }

    /** Whether a step has been taken (so the momentum buffer holds something). */
    public boolean hasStepped() {
        return buffer != null;
    }

    private void materialise() {
        try (NDManager scope = parameters.layout().entries().get(0).array().getManager().newSubManager()) {
            write(scope);
        }
    }

    private void write(NDManager scope) {
        if (blockwise()) {
            blockwiseWrite(scope);
            return;
        }
        parameters.write(basis.combine(alpha, scope));
    }

    /**
     * Whether {@code P g} and {@code Pᵀα} go parameter by parameter over column blocks of P (a
     * whole float32 basis): the same products without the D-length concatenated gradient and
     * combined point, which cost two D-length copies and their memory each step.
     */
    private boolean blockwise() {
        return !basis.sharded() && basis.storage() == DataType.FLOAT32;
    }

    /** {@code P g = Σ_l P_l g_l} over the parameters l and their column blocks P_l. */
    private float[] blockwiseProjection(NDManager scope) {
        NDArray sum = scope.zeros(new Shape(alpha.length));
        parameters.forEachGradient((entry, gradient) -> {
            NDArray part = columnsOf(entry, scope).matMul(gradient);
            part.attach(scope);
            sum.addi(part);
        }, scope);
        return sum.toFloatArray();
    }

    /** {@code w_l = P_lᵀ α} written into each parameter l in place. */
    private void blockwiseWrite(NDManager scope) {
        NDArray coordinates = Basis.coordinates(alpha, scope);
        parameters.writeEach(entry -> {
            NDArray piece = coordinates.matMul(columnsOf(entry, scope));
            piece.attach(scope);
            return piece;
        }, scope);
    }

    /** The columns of P that belong to parameter {@code entry}. */
    private NDArray columnsOf(ParameterLayout.Entry entry, NDManager scope) {
        return basis.columns(entry.offset(), entry.offset() + entry.size(), scope);
    }
}
