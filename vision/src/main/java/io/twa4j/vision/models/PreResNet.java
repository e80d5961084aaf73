package io.twa4j.vision.models;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;

/**
 * The CIFAR pre-activation ResNet of the SWA and TWA reference code ({@code models/preresnet.py} in
 * timgaripov/swa and nblt/TWA, ported from bearpaw/pytorch-classification).
 *
 * <p>As in that code, depth {@code >= 44} selects the Bottleneck block with {@code n = (depth-2)/9}
 * blocks per stage (so PreResNet110 has 12 and PreResNet164 has 18 Bottlenecks per stage); smaller
 * depths use the BasicBlock with {@code n = (depth-2)/6}. Stages have 16, 32 and 64 planes (times
 * the expansion, 4 for Bottleneck). Each block is BN-ReLU-conv (pre-activation); a 1x1 projection
 * without bias is applied to the raw input of the first block of a stage when its shape changes.
 * The head is BN, ReLU, average pooling and a Linear layer. The reference pools with {@code
 * AvgPool2d(8)}, which on its 32x32 inputs is a global average; we pool globally so that other
 * input sizes (e.g. 28x28) work as well.
 *
 * <p>Initialisation as in the reference: every conv weight {@code N(0, sqrt(2/(k*k*out)))}, BN
 * gamma 1 beta 0, the Linear layer PyTorch's default.
 */
public final class PreResNet {

    private PreResNet() {}

    /**
     * Builds a PreResNet.
     *
     * @param depth {@code 9n+2} for {@code depth >= 44} (Bottleneck), {@code 6n+2} below
     *     (BasicBlock)
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block build(int depth, int numClasses) {
        return build(depth, numClasses, new TorchModules());
    }

    /**
     * Builds a PreResNet, naming its layers as the reference: {@code conv1}, {@code layerS.B.bn1,
     * conv1, bn2, conv2[, bn3, conv3]}, {@code layerS.0.downsample.0}, {@code bn}, {@code fc}.
     */
    static Block build(int depth, int numClasses, TorchModules torch) {
        Layers.requirePositive(numClasses, "numClasses");
        boolean bottleneck = depth >= 44;
        int n = blocksPerStage(depth, bottleneck);
        int expansion = bottleneck ? 4 : 1;
        SequentialBlock net = new SequentialBlock().add(torch.at("conv1", conv(16, 3, 1, 1)));
        int inplanes = 16;
        int[] planesPerStage = {16, 32, 64};
        for (int stage = 0; stage < 3; stage++) {
            int planes = planesPerStage[stage];
            SequentialBlock layer = new SequentialBlock();
            for (int b = 0; b < n; b++) {
                String path = "layer" + (stage + 1) + "." + b + ".";
                int stride = (b == 0 && stage > 0) ? 2 : 1;
                Block shortcut =
                        (stride != 1 || inplanes != planes * expansion)
                                ? torch.at(path + "downsample.0", conv(planes * expansion, 1, stride, 0))
                                : null;
                Block main = bottleneck ? bottleneck(planes, stride, torch, path) : basic(planes, stride, torch, path);
                layer.add(new Residual(main, shortcut, false));
                inplanes = planes * expansion;
            }
            net.add(layer);
        }
        return net.add(torch.at("bn", Layers.batchNorm()))
                .add(Layers.relu())
                .add(Pool.globalAvgPool2dBlock())
                .add(torch.at("fc", Layers.linear(numClasses)));
    }

    private static int blocksPerStage(int depth, boolean bottleneck) {
        if (bottleneck) {
            if ((depth - 2) % 9 != 0) {
                throw new IllegalArgumentException(
                        "PreResNet depth >= 44 must be 9n+2, got " + depth);
            }
            return (depth - 2) / 9;
        }
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException(
                    "PreResNet depth < 44 must be 6n+2, got " + depth);
        }
        return (depth - 2) / 6;
    }

    private static Block basic(int planes, int stride, TorchModules torch, String path) {
        return new SequentialBlock()
                .add(torch.at(path + "bn1", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv1", conv(planes, 3, stride, 1)))
                .add(torch.at(path + "bn2", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv2", conv(planes, 3, 1, 1)));
    }

    private static Block bottleneck(int planes, int stride, TorchModules torch, String path) {
        return new SequentialBlock()
                .add(torch.at(path + "bn1", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv1", conv(planes, 1, 1, 0)))
                .add(torch.at(path + "bn2", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv2", conv(planes, 3, stride, 1)))
                .add(torch.at(path + "bn3", Layers.batchNorm()))
                .add(Layers.relu())
                .add(torch.at(path + "conv3", conv(planes * 4, 1, 1, 0)));
    }

    private static Block conv(int filters, int kernel, int stride, int padding) {
        return Layers.conv(filters, kernel, stride, padding, false, TorchInit.heNormalFanOut());
    }
}
