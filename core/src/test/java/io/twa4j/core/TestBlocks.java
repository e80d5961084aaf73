package io.twa4j.core;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;

/** Small blocks for core tests. */
public final class TestBlocks {
    private TestBlocks() {}

    /** Flatten → Linear(hidden) → ReLU → Linear(classes) (no BatchNorm), initialised for inputs of {@code inputShape}. */
    public static SequentialBlock mlp(NDManager manager, Shape inputShape, int hidden, int classes) {
        SequentialBlock block = new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(hidden).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(classes).build());
        block.initialize(manager, DataType.FLOAT32, inputShape);
        return block;
    }

    /** Flatten → Linear(hidden) → BatchNorm → ReLU → Linear(classes), initialised for inputs of {@code inputShape}. */
    public static SequentialBlock mlpWithBatchNorm(NDManager manager, Shape inputShape, int hidden, int classes) {
        SequentialBlock block = new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(hidden).build())
                .add(BatchNorm.builder().optMomentum(0.9f).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(classes).build());
        block.initialize(manager, DataType.FLOAT32, inputShape);
        return block;
    }
}
