package io.twa4j.vision.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;

/**
 * torchvision's ImageNet ResNet ({@code torchvision/models/resnet.py}, v1.5: the stride sits on
 * the 3x3 convolution of a Bottleneck), for any number of classes.
 *
 * <p>Stem: conv7x7/2 (64, no bias), BN, ReLU, max-pool 3x3/2 padding 1; four stages of 64, 128,
 * 256, 512 planes (times 4 for Bottleneck); a 1x1 projection with BN where the shape changes; ReLU
 * after each sum; global average pooling (torchvision's adaptive pool to 1x1), Linear. Works for
 * any input of at least 32x32.
 *
 * <p>Initialisation as torchvision: conv {@code kaiming_normal_(fan_out, relu)}, BN 1/0 (no
 * zero-init of the last BN), Linear PyTorch's default.
 */
public final class ResNet {

    private ResNet() {}

    /**
     * ResNet-18: BasicBlocks [2, 2, 2, 2].
     *
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block resnet18(int numClasses) {
        return build(new int[] {2, 2, 2, 2}, false, numClasses);
    }

    /**
     * ResNet-50: Bottlenecks [3, 4, 6, 3].
     *
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block resnet50(int numClasses) {
        return build(new int[] {3, 4, 6, 3}, true, numClasses);
    }

    /**
     * Builds a torchvision-style ResNet.
     *
     * @param blocksPerStage the number of blocks in each of the four stages
     * @param bottleneck Bottleneck (expansion 4) rather than BasicBlock
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block build(int[] blocksPerStage, boolean bottleneck, int numClasses) {
        Layers.requirePositive(numClasses, "numClasses");
        if (blocksPerStage.length != 4) {
            throw new IllegalArgumentException("a ResNet has four stages");
        }
        int expansion = bottleneck ? 4 : 1;
        SequentialBlock net =
                new SequentialBlock()
                        .add(conv(64, 7, 2, 3))
                        .add(Layers.batchNorm())
                        .add(Layers.relu())
                        .add(
                                Pool.maxPool2dBlock(
                                        new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int inplanes = 64;
        int[] planesPerStage = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            int planes = planesPerStage[stage];
            Layers.requirePositive(blocksPerStage[stage], "blocks per stage");
            SequentialBlock layer = new SequentialBlock();
            for (int b = 0; b < blocksPerStage[stage]; b++) {
                int stride = (b == 0 && stage > 0) ? 2 : 1;
                Block shortcut = null;
                if (stride != 1 || inplanes != planes * expansion) {
                    shortcut =
                            new SequentialBlock()
                                    .add(conv(planes * expansion, 1, stride, 0))
                                    .add(Layers.batchNorm());
                }
                Block main = bottleneck ? bottleneck(planes, stride) : basic(planes, stride);
                layer.add(new Residual(main, shortcut, true));
                inplanes = planes * expansion;
            }
            net.add(layer);
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(Layers.linear(numClasses));
    }

    private static Block basic(int planes, int stride) {
        return new SequentialBlock()
                .add(conv(planes, 3, stride, 1))
                .add(Layers.batchNorm())
                .add(Layers.relu())
                .add(conv(planes, 3, 1, 1))
                .add(Layers.batchNorm());
    }

    private static Block bottleneck(int planes, int stride) {
        return new SequentialBlock()
                .add(conv(planes, 1, 1, 0))
                .add(Layers.batchNorm())
                .add(Layers.relu())
                .add(conv(planes, 3, stride, 1))
                .add(Layers.batchNorm())
                .add(Layers.relu())
                .add(conv(planes * 4, 1, 1, 0))
                .add(Layers.batchNorm());
    }

    private static Block conv(int filters, int kernel, int stride, int padding) {
        return Layers.conv(filters, kernel, stride, padding, false, TorchInit.heNormalFanOut());
    }
}
