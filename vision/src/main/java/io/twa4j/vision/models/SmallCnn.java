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
 *
 * <p>Its PyTorch twin, whose state_dict keys ({@code 0.weight} ... {@code 11.bias}) {@link
 * ModelZoo#torchNames(String)} gives: {@code nn.Sequential(Conv2d(1,32,3,padding=1), BatchNorm2d(32),
 * ReLU(), MaxPool2d(2), Conv2d(32,64,3,padding=1), BatchNorm2d(64), ReLU(), MaxPool2d(2), Flatten(),
 * Linear(3136,128), ReLU(), Linear(128,10))} (for 1x28x28 inputs and 10 classes).
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
        return build(numClasses, new TorchModules());
    }

    /** Builds the small CNN, naming its layers by their positions {@code 0, 1, 4, 5, 9, 11} in its PyTorch twin. */
    static Block build(int numClasses, TorchModules torch) {
        Layers.requirePositive(numClasses, "numClasses");
        SequentialBlock net = new SequentialBlock();
        torch.add(net, "", Layers.convTorchDefault(32, 3, 1, 1, true));
        torch.add(net, "", Layers.batchNorm())
                .add(Layers.relu())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        torch.add(net, "", Layers.convTorchDefault(64, 3, 1, 1, true));
        torch.add(net, "", Layers.batchNorm())
                .add(Layers.relu())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock());
        torch.add(net, "", Layers.linear(128)).add(Layers.relu());
        return torch.add(net, "", Layers.linear(numClasses));
    }
}
