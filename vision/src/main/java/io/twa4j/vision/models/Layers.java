package io.twa4j.vision.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.initializer.Initializer;

/** Small factories for the PyTorch-equivalent layers the zoo is made of. */
final class Layers {

    /** DJL's momentum is the weight of the old running value: 0.9 here = PyTorch momentum 0.1. */
    static final float BN_MOMENTUM = 0.9f;

    /** PyTorch's default {@code BatchNorm2d} epsilon. */
    static final float BN_EPSILON = 1e-5f;

    private Layers() {}

    /**
     * A square convolution, {@code padding} on each side, with the given weight initializer (bias,
     * if any, zero).
     */
    static Block conv(
            int filters, int kernel, int stride, int padding, boolean bias, Initializer init) {
        return TorchInit.weightAndZeroBias(rawConv(filters, kernel, stride, padding, bias), init);
    }

    /** A square convolution with PyTorch's default initialisation for weight and bias. */
    static Block convTorchDefault(int filters, int kernel, int stride, int padding, boolean bias) {
        return TorchInit.torchDefault(rawConv(filters, kernel, stride, padding, bias));
    }

    private static Conv2d rawConv(int filters, int kernel, int stride, int padding, boolean bias) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(padding, padding))
                .optBias(bias)
                .build();
    }

    /** {@code nn.BatchNorm2d(c)}: momentum 0.1 (PyTorch convention), eps 1e-5, gamma 1, beta 0. */
    static Block batchNorm() {
        return batchNorm(BN_MOMENTUM);
    }

    /**
     * A BatchNorm with an explicit DJL momentum ({@code 1 - } PyTorch's momentum).
     *
     * @param djlMomentum weight of the old running statistics
     */
    static Block batchNorm(float djlMomentum) {
        return BatchNorm.builder().optMomentum(djlMomentum).optEpsilon(BN_EPSILON).build();
    }

    /** {@code nn.Linear(*, units)} with PyTorch's default initialisation. */
    static Block linear(long units) {
        return TorchInit.torchDefault(Linear.builder().setUnits(units).optBias(true).build());
    }

    /** {@code nn.Linear(*, units)} with weight and bias initialised to zero. */
    static Block linearZero(long units) {
        Linear l = Linear.builder().setUnits(units).optBias(true).build();
        l.getDirectParameters().get("weight").setInitializer(Initializer.ZEROS);
        l.getDirectParameters().get("bias").setInitializer(Initializer.ZEROS);
        return l;
    }

    static Block relu() {
        return Activation.reluBlock();
    }

    static Block dropout(float rate) {
        return Dropout.builder().optRate(rate).build();
    }

    static void requirePositive(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
    }
}
