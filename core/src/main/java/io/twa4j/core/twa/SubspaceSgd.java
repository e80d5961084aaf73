package io.twa4j.core.twa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import java.util.List;

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
 * <p>By blocks ({@link BlockBasis}): P is block-diagonal, {@code P g = (P_1 g_1, …, P_L g_L)}
 * and {@code w_l = P_lᵀ α_l}, the same rule on the joined coordinates; the L blocks' {@code P_l g_l}
 * travel as one vector. A whole float basis takes both products parameter by parameter over
 * column views of P (no D-length temporaries); int4 rows over their groups of columns; int8 rows,
 * held on the heap, read the block's gradient and write its point through views of the engine's
 * memory a group of columns at a time (no D-length array on the heap or the engine).
 * w is always {@code Pᵀα} in float32 for
 * the rows as stored.
 */
public final class SubspaceSgd implements UpdateRule {

    private final BlockBasis blocks;
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
        this(BlockBasis.global(basis, parameters), hyper, start, collective);
    }

    /** Subspace SGD over the blocks of {@code blocks} (coordinates joined block after block), as above. */
    public SubspaceSgd(BlockBasis blocks, Hyperparameters hyper, double[] start, Collective collective) {
        double momentum = hyper.momentum();
        double weightDecay = hyper.weightDecay();
        if (start.length != blocks.size()) {
            throw new IllegalArgumentException("start has " + start.length + " coordinates, the basis " + blocks.size() + " rows");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.blocks = blocks;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        if (blocks.sharded() && blocks.global().shards() != collective) {
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
        for (int j = 0; j < alpha.length; j++) {
            double direction = projected[j] + weightDecay * alpha[j];
            buffer[j] = first ? direction : momentum * buffer[j] + direction;
            alpha[j] -= lr * buffer[j];
        }
        write(scope);
    }

    /**
     * {@code P g} for the whole batch's gradient g: each rank projects its own gradient and the n
     * numbers are summed; a rank of a {@link Basis#sharded} basis holds only its columns of P, so
     * the D-length gradient is summed first (the reference's design: the D-length exchanges are
     * paid, here for the gradient and in {@link Basis#combine} for {@code Pᵀα}).
     */
    private float[] projectedGradient(NDManager scope) {
        if (blocks.sharded()) {
            Basis basis = blocks.global();
            float[] summed = blocks.blocks().get(0).parameters().readGradient(scope).toFloatArray();
            collective.allReduceSum(summed);
            return basis.project(scope.create(summed), scope).toFloatArray();
        }
        NDList parts = new NDList();
        List<BlockBasis.Block> all = blocks.blocks();
        for (int l = 0; l < all.size(); l++) {
            BlockBasis.Block block = all.get(l);
            if (block.basis().size() == 0) {
                continue;
            }
            if (block.basis().onHeap()) {
                parts.add(Basis.coordinates(block.basis().project(block.parameters().gradientView(scope)), scope));
            } else {
                parts.add(entrywise(block) ? blockProjection(block, scope)
                        : block.basis().project(block.parameters().readGradient(scope), scope));
            }
        }
        if (parts.isEmpty()) {
            return new float[0];
        }
        NDArray joined = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts);
        joined.attach(scope);
        float[] projected = joined.toFloatArray();
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
        FlatParameters first = blocks.blocks().get(0).parameters();
        try (NDManager scope = first.layout().entries().get(0).array().getManager().newSubManager()) {
            write(scope);
        }
    }

    private void write(NDManager scope) {
        if (blocks.sharded()) {
            blocks.write(alpha, scope);
            return;
        }
        List<BlockBasis.Block> all = blocks.blocks();
        for (int l = 0; l < all.size(); l++) {
            BlockBasis.Block block = all.get(l);
            Basis basis = block.basis();
            if (basis.onHeap() && basis.size() > 0) {
                basis.combine(blocks.slice(alpha, l), block.parameters().view());
                continue;
            }
            NDArray coordinates = Basis.coordinates(blocks.slice(alpha, l), scope);
            if (!entrywise(block) && basis.size() > 0) {
                block.parameters().write(basis.combine(coordinates, scope));
                continue;
            }
            block.parameters().writeEach(entry -> basis.size() == 0 ? scope.zeros(new Shape(entry.size()))
                    : basis.combineColumns(coordinates, entry.offset(), entry.offset() + entry.size(), scope), scope);
        }
    }

    /**
     * Whether a block's products go parameter by parameter (float rows: column views, or float16
     * widened a block at a time); quantised rows are held by groups of columns that cross the
     * parameters, so they take the block's gradient and point whole (int4 as engine arrays, int8
     * as flat views of the engine's memory).
     */
    private static boolean entrywise(BlockBasis.Block block) {
        return !block.basis().encoding().quantised();
    }

    /** {@code P_l g_l = Σ_e P_{l,e} g_e} over the parameters e of the block and their column blocks P_{l,e}. */
    private NDArray blockProjection(BlockBasis.Block block, NDManager scope) {
        Basis basis = block.basis();
        NDArray sum = scope.zeros(new Shape(basis.size()));
        block.parameters().forEachGradient((entry, gradient) -> {
            NDArray part = basis.projectColumns(entry.offset(), entry.offset() + entry.size(), gradient, scope);
            sum.addi(part);
        }, scope);
        return sum;
    }
}
