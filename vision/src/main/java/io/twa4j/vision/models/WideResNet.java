package io.twa4j.vision.models;

import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;

/**
 * The CIFAR Wide ResNets of the reference code, in the two variants the references define.
 *
 * <p>{@link Style#SWA}: timgaripov/swa {@code models/wide_resnet.py} (ported from
 * meliketoy/wide-resnet.pytorch), the reference for {@code WideResNet28x10}. {@code n =
 * (depth-4)/6} pre-activation blocks per stage of widths {@code 16k, 32k, 64k}: BN-ReLU-conv3x3,
 * BN-ReLU-conv3x3 (the second carries the stride), all convolutions with bias; a biased 1x1
 * projection of the raw input where the shape changes. Head: BN with PyTorch momentum 0.9 (as
 * written in the reference; DJL momentum 0.1), ReLU, average pooling, Linear. Initialisation: the
 * reference defines {@code conv_init} (xavier) but never applies it, so what runs is PyTorch's
 * default for every conv and Linear (weight and bias {@code U(±1/sqrt(fan_in))}) and BN 1/0.
 *
 * <p>{@link Style#TWA}: nblt/TWA {@code models/wide_resnet.py}, the only reference for {@code
 * WideResNet16x8}. Each stage is a downsample unit (BN-ReLU shared by both branches, then
 * conv3x3(stride)-BN-ReLU-conv3x3 plus a 1x1 projection) followed by {@code (depth-4)/6} identity
 * units (BN-ReLU-conv3x3-BN-ReLU-conv3x3); no conv has a bias. Note that this gives one unit more
 * per stage than the usual WRN of that depth; we keep it, since it is what the reference trains.
 * Head: BN, ReLU, average pooling, Linear. Initialisation: conv {@code kaiming_normal_(fan_in,
 * relu)}, BN 1/0, Linear weight and bias 0.
 *
 * <p>Both references pool with {@code avg_pool2d(8)}, a global average on their 32x32 inputs; we
 * pool globally so other input sizes work as well. Dropout is applied only when the rate is
 * positive (the zoo uses 0).
 */
public final class WideResNet {

    /** Which reference definition to follow. */
    public enum Style {
        /** timgaripov/swa {@code models/wide_resnet.py}. */
        SWA,
        /** nblt/TWA {@code models/wide_resnet.py}. */
        TWA
    }

    private WideResNet() {}

    /**
     * Builds a Wide ResNet.
     *
     * @param style which reference definition to follow
     * @param depth {@code 6n+4}
     * @param widenFactor the width multiplier {@code k}
     * @param dropout the dropout rate inside blocks, in {@code [0, 1)}
     * @param numClasses the number of outputs
     * @return an uninitialised block
     */
    public static Block build(
            Style style, int depth, int widenFactor, float dropout, int numClasses) {
        return build(style, depth, widenFactor, dropout, numClasses, new TorchModules());
    }

    /**
     * Builds a Wide ResNet, naming its layers as the reference. {@link Style#SWA}: {@code conv1},
     * {@code layerS.B.bn1, conv1, bn2, conv2, shortcut.0}, {@code bn1}, {@code linear}. {@link
     * Style#TWA}: {@code f.0_convolution}, {@code f.S_block.block.0.norm_act.0_normalization}, {@code
     * ...block.0.block.0_convolution, 1_normalization, 4_convolution}, {@code ...block.0.downsample},
     * {@code ...block.U.block.0_normalization, 2_convolution, 3_normalization, 6_convolution}, {@code
     * f.4_normalization}, {@code f.8_classification}.
     */
    static Block build(Style style, int depth, int widenFactor, float dropout, int numClasses, TorchModules torch) {
        Layers.requirePositive(numClasses, "numClasses");
        Layers.requirePositive(widenFactor, "widenFactor");
        if (depth < 10 || (depth - 4) % 6 != 0) {
            throw new IllegalArgumentException("Wide ResNet depth must be 6n+4, got " + depth);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        int n = (depth - 4) / 6;
        int[] widths = {16 * widenFactor, 32 * widenFactor, 64 * widenFactor};
        return style == Style.SWA
                ? swa(n, widths, dropout, numClasses, torch)
                : twa(n, widths, dropout, numClasses, torch);
    }

    private static Block swa(int n, int[] widths, float dropout, int numClasses, TorchModules torch) {
        SequentialBlock net = new SequentialBlock().add(torch.at("conv1", Layers.convTorchDefault(16, 3, 1, 1, true)));
        int in = 16;
        for (int stage = 0; stage < 3; stage++) {
            int planes = widths[stage];
            SequentialBlock layer = new SequentialBlock();
            for (int b = 0; b < n; b++) {
                String path = "layer" + (stage + 1) + "." + b + ".";
                int stride = (b == 0 && stage > 0) ? 2 : 1;
                SequentialBlock main =
                        new SequentialBlock()
                                .add(torch.at(path + "bn1", Layers.batchNorm()))
                                .add(Layers.relu())
                                .add(torch.at(path + "conv1", Layers.convTorchDefault(planes, 3, 1, 1, true)));
                addDropout(main, dropout);
                main.add(torch.at(path + "bn2", Layers.batchNorm()))
                        .add(Layers.relu())
                        .add(torch.at(path + "conv2", Layers.convTorchDefault(planes, 3, stride, 1, true)));
                Block shortcut =
                        (stride != 1 || in != planes)
                                ? torch.at(path + "shortcut.0", Layers.convTorchDefault(planes, 1, stride, 0, true))
                                : null;
                layer.add(new Residual(main, shortcut, false));
                in = planes;
            }
            net.add(layer);
        }
        // Reference: nn.BatchNorm2d(nstages[3], momentum=0.9), i.e. DJL momentum 0.1.
        return net.add(torch.at("bn1", Layers.batchNorm(0.1f)))
                .add(Layers.relu())
                .add(Pool.globalAvgPool2dBlock())
                .add(torch.at("linear", Layers.linear(numClasses)));
    }

    private static Block twa(int n, int[] widths, float dropout, int numClasses, TorchModules torch) {
        SequentialBlock net = new SequentialBlock().add(torch.at("f.0_convolution", twaConv(16, 3, 1, 1)));
        for (int stage = 0; stage < 3; stage++) {
            int planes = widths[stage];
            int stride = stage > 0 ? 2 : 1;
            String unit = "f." + (stage + 1) + "_block.block.0.";
            SequentialBlock downMain =
                    new SequentialBlock()
                            .add(torch.at(unit + "block.0_convolution", twaConv(planes, 3, stride, 1)))
                            .add(torch.at(unit + "block.1_normalization", Layers.batchNorm()))
                            .add(Layers.relu());
            addDropout(downMain, dropout);
            downMain.add(torch.at(unit + "block.4_convolution", twaConv(planes, 3, 1, 1)));
            SequentialBlock layer =
                    new SequentialBlock()
                            .add(torch.at(unit + "norm_act.0_normalization", Layers.batchNorm()))
                            .add(Layers.relu())
                            .add(new Residual(downMain, torch.at(unit + "downsample", twaConv(planes, 1, stride, 0)), false));
            for (int b = 0; b < n; b++) {
                layer.add(new Residual(basicUnit(planes, dropout, torch, "f." + (stage + 1) + "_block.block." + (b + 1) + ".block."),
                        null, false));
            }
            net.add(layer);
        }
        return net.add(torch.at("f.4_normalization", Layers.batchNorm()))
                .add(Layers.relu())
                .add(Pool.globalAvgPool2dBlock())
                .add(torch.at("f.8_classification", Layers.linearZero(numClasses)));
    }

    /** nblt/TWA's {@code BasicUnit}: BN-ReLU-conv3x3-BN-ReLU-[dropout]-conv3x3. */
    private static Block basicUnit(int planes, float dropout, TorchModules torch, String path) {
        SequentialBlock main =
                new SequentialBlock()
                        .add(torch.at(path + "0_normalization", Layers.batchNorm()))
                        .add(Layers.relu())
                        .add(torch.at(path + "2_convolution", twaConv(planes, 3, 1, 1)))
                        .add(torch.at(path + "3_normalization", Layers.batchNorm()))
                        .add(Layers.relu());
        addDropout(main, dropout);
        return main.add(torch.at(path + "6_convolution", twaConv(planes, 3, 1, 1)));
    }

    private static Block twaConv(int filters, int kernel, int stride, int padding) {
        return Layers.conv(filters, kernel, stride, padding, false, TorchInit.heNormalFanIn());
    }

    private static void addDropout(SequentialBlock block, float rate) {
        if (rate > 0f) {
            block.add(Layers.dropout(rate));
        }
    }
}
