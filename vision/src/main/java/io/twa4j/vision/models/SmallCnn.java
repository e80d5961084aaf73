package io.twa4j.vision.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;

/**
 * A small CNN for quick experiments on 28x28 grey images (MNIST, Fashion-MNIST); it also runs on
 * any other input size, e.g. 3x32x32.
 *
 * <p>conv3x3(32, padding 1)-BN-ReLU-maxpool2, conv3x3(64, padding 1)-BN-ReLU-maxpool2, flatten,
 * Linear(128)-ReLU, Linear(classes). On 1x28x28 inputs that is 421,834 trainable parameters for 10
 * classes. It contains BatchNorm on purpose: the BN update after averaging is exercised on it.
 * PyTorch's default initialisation throughout (BN 1/0).
 */
public final class SmallCnn {

    private SmallCnn() {}

    /**
     * Builds the small CNN.
     *
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block build(int numClasses) {
        Layers.requirePositive(numClasses, "numClasses");
        return new SequentialBlock()
                .add(Layers.convTorchDefault(32, 3, 1, 1, true))
                .add(Layers.batchNorm())
                .add(Layers.relu())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Layers.convTorchDefault(64, 3, 1, 1, true))
                .add(Layers.batchNorm())
                .add(Layers.relu())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Layers.linear(128))
                .add(Layers.relu())
                .add(Layers.linear(numClasses));
    }
}
