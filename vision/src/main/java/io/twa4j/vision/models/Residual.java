package io.twa4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Objects;

/**
 * {@code out = main(x) + shortcut(x)}, optionally followed by a ReLU; the shortcut is the identity
 * when none is given.
 *
 * <p>Children are named {@code main} and {@code shortcut}, so parameter names read like the
 * reference's ({@code ...main...conv}, {@code ...shortcut...}).
 */
public final class Residual extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block main;
    private final Block shortcut;
    private final boolean reluAfter;

    /**
     * Creates a residual connection.
     *
     * @param main the residual branch
     * @param shortcut the projection branch, or {@code null} for the identity
     * @param reluAfter whether to apply a ReLU after the sum (post-activation ResNets)
     */
    public Residual(Block main, Block shortcut, boolean reluAfter) {
        super(VERSION);
        this.main = addChildBlock("main", Objects.requireNonNull(main, "main"));
        this.shortcut = shortcut == null ? null : addChildBlock("shortcut", shortcut);
        this.reluAfter = reluAfter;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray y = main.forward(parameterStore, inputs, training, params).singletonOrThrow();
        NDArray s =
                shortcut == null
                        ? inputs.singletonOrThrow()
                        : shortcut.forward(parameterStore, inputs, training, params)
                                .singletonOrThrow();
        NDArray out = y.add(s);
        return new NDList(reluAfter ? Activation.relu(out) : out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return main.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        main.initialize(manager, dataType, inputShapes);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
