package io.twa4j.vision.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import java.util.Objects;

/**
 * The initialisation schemes of the PyTorch reference models, as DJL {@link Initializer}s.
 *
 * <p>All of them draw from the engine's random generator ({@code manager.randomNormal} / {@code
 * randomUniform}), so {@code Engine.getInstance().setRandomSeed(seed)} before initialising a block
 * makes its weights reproducible.
 *
 * <p>Fans follow PyTorch: for a weight of shape {@code (out, in, k1, k2, ...)} (DJL's Conv and
 * Linear layouts are the same as PyTorch's), {@code fan_in = in * k1 * k2 * ...} and {@code
 * fan_out = out * k1 * k2 * ...}.
 *
 * <p>Note: a {@code DefaultTrainingConfig.optInitializer(...)} given to a trainer overrides these
 * for the parameters it selects; build the trainer without one to keep the reference scheme.
 */
public final class TorchInit {

    private TorchInit() {}

    /**
     * {@code N(0, sqrt(2 / fan_out))}: the reference VGG/PreResNet {@code normal_(0, sqrt(2/n))}
     * with {@code n = k*k*out_channels}, and torchvision's {@code kaiming_normal_(mode="fan_out",
     * nonlinearity="relu")} (the same distribution).
     *
     * @return the initializer
     */
    public static Initializer heNormalFanOut() {
        return new HeNormal(false);
    }

    /**
     * {@code N(0, sqrt(2 / fan_in))}: PyTorch's {@code kaiming_normal_(mode="fan_in",
     * nonlinearity="relu")}.
     *
     * @return the initializer
     */
    public static Initializer heNormalFanIn() {
        return new HeNormal(true);
    }

    /**
     * PyTorch's default weight initialisation for {@code nn.Linear} and {@code nn.Conv2d} ({@code
     * kaiming_uniform_(a=sqrt(5))}): {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}.
     *
     * @return the initializer
     */
    public static Initializer defaultWeight() {
        return new FanInUniform(null);
    }

    /**
     * PyTorch's default bias initialisation: {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))} where
     * {@code fan_in} is that of the layer's weight. The weight's shape is read when the bias is
     * initialised (DJL sets every parameter's shape before initialising any of them).
     *
     * @param weight the weight parameter of the same layer
     * @return the initializer
     */
    public static Initializer defaultBias(Parameter weight) {
        return new FanInUniform(Objects.requireNonNull(weight, "weight"));
    }

    /**
     * Gives a Conv or Linear layer PyTorch's default initialisation (weight and bias, if any).
     *
     * @param layer a block whose direct parameters are {@code weight} and optionally {@code bias}
     * @param <B> the block type
     * @return the same layer
     */
    public static <B extends Block> B torchDefault(B layer) {
        Parameter weight = parameter(layer, "weight");
        weight.setInitializer(defaultWeight());
        Parameter bias = optionalParameter(layer, "bias");
        if (bias != null) {
            bias.setInitializer(defaultBias(weight));
        }
        return layer;
    }

    /**
     * Sets a layer's weight initializer, and sets its bias (if any) to zero.
     *
     * @param layer a block whose direct parameters are {@code weight} and optionally {@code bias}
     * @param weightInit the weight initializer
     * @param <B> the block type
     * @return the same layer
     */
    public static <B extends Block> B weightAndZeroBias(B layer, Initializer weightInit) {
        parameter(layer, "weight").setInitializer(weightInit);
        Parameter bias = optionalParameter(layer, "bias");
        if (bias != null) {
            bias.setInitializer(Initializer.ZEROS);
        }
        return layer;
    }

    private static Parameter parameter(Block layer, String name) {
        Parameter p = optionalParameter(layer, name);
        if (p == null) {
            throw new IllegalArgumentException(
                    "block "
                            + layer.getClass().getSimpleName()
                            + " has no parameter '"
                            + name
                            + "'");
        }
        return p;
    }

    private static Parameter optionalParameter(Block layer, String name) {
        return layer.getDirectParameters().get(name);
    }

    static long fanIn(Shape shape) {
        requireWeightShape(shape);
        return shape.size() / shape.get(0);
    }

    static long fanOut(Shape shape) {
        requireWeightShape(shape);
        return shape.size() / shape.get(1);
    }

    private static void requireWeightShape(Shape shape) {
        if (shape == null || shape.dimension() < 2) {
            throw new IllegalArgumentException(
                    "expected a weight of shape (out, in, ...), got " + shape);
        }
    }

    /** Normal with standard deviation {@code sqrt(2 / fan)}. */
    private static final class HeNormal implements Initializer {
        private final boolean useFanIn;

        HeNormal(boolean useFanIn) {
            this.useFanIn = useFanIn;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            long fan = useFanIn ? fanIn(shape) : fanOut(shape);
            float std = (float) Math.sqrt(2.0 / fan);
            return manager.randomNormal(0f, std, shape, dataType, manager.getDevice());
        }

        @Override
        public String toString() {
            return "HeNormal(" + (useFanIn ? "fan_in" : "fan_out") + ")";
        }
    }

    /** Uniform in {@code ±1/sqrt(fan_in)}, fan_in from the array's own shape or from a weight. */
    private static final class FanInUniform implements Initializer {
        private final Parameter weight;

        FanInUniform(Parameter weight) {
            this.weight = weight;
        }

        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            long fan = fanIn(weight == null ? shape : weight.getShape());
            float bound = (float) (1.0 / Math.sqrt(fan));
            return manager.randomUniform(-bound, bound, shape, dataType, manager.getDevice());
        }

        @Override
        public String toString() {
            return weight == null ? "TorchDefaultWeight" : "TorchDefaultBias";
        }
    }
}
