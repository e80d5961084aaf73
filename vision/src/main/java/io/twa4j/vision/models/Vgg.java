package io.twa4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;

/**
 * The CIFAR VGG of the SWA and TWA reference code ({@code models/vgg.py} in timgaripov/swa and
 * nblt/TWA).
 *
 * <p>Features: 3x3 convolutions with padding 1 and bias (configuration D for depth 16, E for 19),
 * each followed by BatchNorm when asked and ReLU, with 2x2 max-pooling between stages. Classifier:
 * Dropout(0.5), Linear(512, 512), ReLU, Dropout(0.5), Linear(512, 512), ReLU, Linear(512, classes).
 * The classifier expects 512 features, i.e. 32x32 inputs (five halvings down to 1x1); other
 * sizes are refused with an {@link IllegalArgumentException} when the block is initialised.
 *
 * <p>Initialisation as in the reference: conv weights {@code N(0, sqrt(2/(9*out)))}, conv biases 0,
 * Linear layers PyTorch's default, BatchNorm gamma 1 beta 0.
 */
public final class Vgg {

    private static final int POOL = -1;

    private static final int[] CFG_16 = {
        64, 64, POOL, 128, 128, POOL, 256, 256, 256, POOL, 512, 512, 512, POOL, 512, 512, 512, POOL
    };

    private static final int[] CFG_19 = {
        64, 64, POOL, 128, 128, POOL, 256, 256, 256, 256, POOL, 512, 512, 512, 512, POOL, 512, 512,
        512, 512, POOL
    };

    private Vgg() {}

    /**
     * Builds a VGG.
     *
     * @param depth 16 or 19
     * @param batchNorm whether each convolution is followed by BatchNorm
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block build(int depth, boolean batchNorm, int numClasses) {
        return build(depth, batchNorm, numClasses, new TorchModules());
    }

    /**
     * Builds a VGG, naming its layers as the reference's {@code features.i} and {@code
     * classifier.i} ({@code nn.Sequential} positions, ReLUs, poolings and dropouts counted).
     */
    static Block build(int depth, boolean batchNorm, int numClasses, TorchModules torch) {
        Layers.requirePositive(numClasses, "numClasses");
        int[] cfg;
        if (depth == 16) {
            cfg = CFG_16;
        } else if (depth == 19) {
            cfg = CFG_19;
        } else {
            throw new IllegalArgumentException("VGG depth must be 16 or 19, got " + depth);
        }
        SequentialBlock features = new SequentialBlock();
        for (int v : cfg) {
            if (v == POOL) {
                features.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            } else {
                torch.add(features, "features.", Layers.conv(v, 3, 1, 1, true, TorchInit.heNormalFanOut()));
                if (batchNorm) {
                    torch.add(features, "features.", Layers.batchNorm());
                }
                features.add(Layers.relu());
            }
        }
        SequentialBlock classifier = new SequentialBlock().add(Layers.dropout(0.5f));
        torch.add(classifier, "classifier.", Layers.linear(512)).add(Layers.relu()).add(Layers.dropout(0.5f));
        torch.add(classifier, "classifier.", Layers.linear(512)).add(Layers.relu());
        torch.add(classifier, "classifier.", Layers.linear(numClasses));
        return new SequentialBlock()
                .add(features)
                .add(LambdaBlock.singleton(Vgg::flatten512, "flatten512"))
                .add(classifier);
    }

    /** Flattens, insisting on the reference's 512 features (the classifier is Linear(512, 512)). */
    private static NDArray flatten512(NDArray features) {
        Shape s = features.getShape();
        long perImage = s.size() / s.get(0);
        if (perImage != 512) {
            throw new IllegalArgumentException(
                    "VGG expects 32x32 inputs (512 features after the last pooling), but the"
                            + " features have shape "
                            + s.slice(1));
        }
        return Blocks.batchFlatten(features);
    }
}
