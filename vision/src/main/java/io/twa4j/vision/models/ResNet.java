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
        return build(new int[] {2, 2, 2, 2}, false, numClasses, new TorchModules());
    }

    /**
     * ResNet-50: Bottlenecks [3, 4, 6, 3].
     *
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block resnet50(int numClasses) {
        return build(new int[] {3, 4, 6, 3}, true, numClasses, new TorchModules());
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
        return build(blocksPerStage, bottleneck, numClasses, new TorchModules());
    }

    /**
     * Builds a ResNet, naming its layers as torchvision: {@code conv1}, {@code bn1}, {@code
     * layerS.B.conv1, bn1, ...}, {@code layerS.0.downsample.0/1}, {@code fc}.
     */
    static Block build(int[] blocksPerStage, boolean bottleneck, int numClasses, TorchModules torch) {
        Layers.requirePositive(numClasses, "numClasses");
        if (blocksPerStage.length != 4) {
            throw new IllegalArgumentException("a ResNet has four stages");
        }
        int expansion = bottleneck ? 4 : 1;
        SequentialBlock net =
                new SequentialBlock()
                        .add(torch.at("conv1", conv(64, 7, 2, 3)))
                        .add(torch.at("bn1", Layers.batchNorm()))
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
                String path = "layer" + (stage + 1) + "." + b + ".";
                int stride = (b == 0 && stage > 0) ? 2 : 1;
                Block shortcut = null;
                if (stride != 1 || inplanes != planes * expansion) {
                    shortcut =
                            new SequentialBlock()
                                    .add(torch.at(path + "downsample.0", conv(planes * expansion, 1, stride, 0)))
                                    .add(torch.at(path + "downsample.1", Layers.batchNorm()));
                }
                Block main = bottleneck ? bottleneck(planes, stride, torch, path) : basic(planes, stride, torch, path);
                layer.add(new Residual(main, shortcut, true));
                inplanes = planes * expansion;
            }
            net.add(layer);
        }
        return net.add(Pool.globalAvgPool2dBlock()).add(torch.at("fc", Layers.linear(numClasses)));
    }

    private static Block basic(int planes, int stride, TorchModules torch, String path) {
        return new SequentialBlock()
                .add(torch.at(path + "conv1", conv(planes, 3, stride, 1)))
                .add(torch.at(path + "bn1", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv2", conv(planes, 3, 1, 1)))
                .add(torch.at(path + "bn2", Layers.batchNorm()));
    }

    private static Block bottleneck(int planes, int stride, TorchModules torch, String path) {
        return new SequentialBlock()
                .add(torch.at(path + "conv1", conv(planes, 1, 1, 0)))
                .add(torch.at(path + "bn1", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv2", conv(planes, 3, stride, 1)))
                .add(torch.at(path + "bn2", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv3", conv(planes * 4, 1, 1, 0)))
                .add(torch.at(path + "bn3", Layers.batchNorm()));
    }

    private static Block conv(int filters, int kernel, int stride, int padding) {
        return Layers.conv(filters, kernel, stride, padding, false, TorchInit.heNormalFanOut());
    }
}
