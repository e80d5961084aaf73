package io.twa4j.vision.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * The model zoo: the architectures of the TWA and SWA reference code, by name.
 *
 * <table>
 *   <caption>Models</caption>
 *   <tr><th>name</th><th>reference</th><th>default input</th></tr>
 *   <tr><td>VGG16, VGG16BN, VGG19BN</td><td>swa / TWA {@code models/vgg.py}</td>
 *       <td>3x32x32</td></tr>
 *   <tr><td>PreResNet110, PreResNet164</td><td>swa / TWA {@code models/preresnet.py}</td>
 *       <td>3x32x32</td></tr>
 *   <tr><td>WideResNet28x10</td><td>swa {@code models/wide_resnet.py}</td><td>3x32x32</td></tr>
 *   <tr><td>WideResNet16x8</td><td>TWA {@code models/wide_resnet.py}</td><td>3x32x32</td></tr>
 *   <tr><td>resnet18, resnet50</td><td>torchvision {@code models/resnet.py}</td>
 *       <td>3x224x224</td></tr>
 *   <tr><td>cnn</td><td>ours ({@link SmallCnn}; its PyTorch twin is given there)</td><td>1x28x28</td></tr>
 * </table>
 *
 * <p>Each model has the reference's trainable parameters (same count, shapes and initialisation
 * distribution); BatchNorm running statistics are non-gradient parameters. Blocks come back
 * uninitialised; set {@code Engine.getInstance().setRandomSeed(seed)} before initialising them for
 * reproducible weights. {@link #torchNames(String)} gives the reference's state_dict names of
 * every parameter. Convolutions infer their input channels, so every model accepts any
 * channel count; VGG needs 32x32 inputs, the others pool globally and also run on 28x28.
 */
public final class ModelZoo {

    private static final List<String> NAMES =
            List.of(
                    "VGG16",
                    "VGG16BN",
                    "VGG19BN",
                    "PreResNet20",
                    "PreResNet110",
                    "PreResNet164",
                    "WideResNet28x10",
                    "WideResNet16x8",
                    "resnet18",
                    "resnet50",
                    "cnn");

    private ModelZoo() {}

    /**
     * Canonical names, in display order: VGG16, VGG16BN, VGG19BN, PreResNet20, PreResNet110, PreResNet164,
     * WideResNet28x10, WideResNet16x8, resnet18, resnet50, cnn.
     *
     * @return an unmodifiable list of the model names
     */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * Resolves a model name, ignoring case.
     *
     * @param name a model name in any case
     * @return the canonical spelling
     * @throws IllegalArgumentException "unknown model 'x'; valid models: a, b, ..." if there is no
     *     such model
     */
    public static String canonicalName(String name) {
        if (name != null) {
            String trimmed = name.trim();
            for (String n : NAMES) {
                if (n.equalsIgnoreCase(trimmed)) {
                    return n;
                }
            }
        }
        throw new IllegalArgumentException(
                "unknown model '" + name + "'; valid models: " + String.join(", ", NAMES));
    }

    /**
     * Builds an uninitialised block for inputs with the given channels and classes.
     *
     * @param name a model name (case-insensitive)
     * @param numClasses the number of outputs, at least 1
     * @param inputChannels the number of input channels, at least 1 (the first convolution infers
     *     it from the input when the block is initialised)
     * @return the block
     * @throws IllegalArgumentException for an unknown name or a count below 1
     */
    public static Block build(String name, int numClasses, int inputChannels) {
        String canonical = canonicalName(name);
        Layers.requirePositive(numClasses, "numClasses");
        Layers.requirePositive(inputChannels, "inputChannels");
        return build(canonical, numClasses, new TorchModules());
    }

    /**
     * The names of the model's parameters in the {@code state_dict()} of its PyTorch reference
     * definition (see the table above; for {@code cnn} the twin given in {@link SmallCnn}), both
     * ways. They do not depend on the number of classes or input channels.
     *
     * @param name a model name (case-insensitive)
     * @return the names
     * @throws IllegalArgumentException for an unknown name
     */
    public static TorchNames torchNames(String name) {
        TorchModules torch = new TorchModules();
        return torch.names(build(name, 1, torch));
    }

    private static Block build(String name, int numClasses, TorchModules torch) {
        String canonical = canonicalName(name);
        Layers.requirePositive(numClasses, "numClasses");
        switch (canonical) {
            case "VGG16":
                return Vgg.build(16, false, numClasses, torch);
            case "VGG16BN":
                return Vgg.build(16, true, numClasses, torch);
            case "VGG19BN":
                return Vgg.build(19, true, numClasses, torch);
            case "PreResNet20":
                return PreResNet.build(20, numClasses, torch);
            case "PreResNet110":
                return PreResNet.build(110, numClasses, torch);
            case "PreResNet164":
                return PreResNet.build(164, numClasses, torch);
            case "WideResNet28x10":
                return WideResNet.build(WideResNet.Style.SWA, 28, 10, 0f, numClasses, torch);
            case "WideResNet16x8":
                return WideResNet.build(WideResNet.Style.TWA, 16, 8, 0f, numClasses, torch);
            case "resnet18":
                return ResNet.build(new int[] {2, 2, 2, 2}, false, numClasses, torch);
            case "resnet50":
                return ResNet.build(new int[] {3, 4, 6, 3}, true, numClasses, torch);
            case "cnn":
                return SmallCnn.build(numClasses, torch);
            default:
                throw new AssertionError("model listed but not built: " + canonical);
        }
    }

    /**
     * Checks that the model can take images of shape (C, H, W): VGG needs 32x32 (its classifier
     * takes the 512 features left after five poolings), {@code cnn} at least 4x4 (two poolings);
     * the others pool globally and take 28x28 as well as larger images.
     *
     * @param name a model name (case-insensitive)
     * @param imageShapeChw the image shape without the batch axis
     * @throws IllegalArgumentException "VGG16 needs 32x32 images, not 1x28x28" and the like
     */
    public static void checkInputShape(String name, Shape imageShapeChw) {
        String canonical = canonicalName(name);
        if (imageShapeChw == null || imageShapeChw.dimension() != 3 || imageShapeChw.size() <= 0) {
            throw new IllegalArgumentException("images must have a shape (C, H, W) of positive sizes, not " + imageShapeChw);
        }
        long height = imageShapeChw.get(1);
        long width = imageShapeChw.get(2);
        String shape = imageShapeChw.get(0) + "x" + height + "x" + width;
        if (canonical.startsWith("VGG") && (height != 32 || width != 32)) {
            throw new IllegalArgumentException(canonical + " needs 32x32 images, not " + shape);
        }
        if (canonical.equals("cnn") && (height < 4 || width < 4)) {
            throw new IllegalArgumentException(canonical + " needs images of at least 4x4, not " + shape);
        }
    }

    /**
     * The input shape (C,H,W) the model is meant for by default: cnn 1x28x28, CIFAR models
     * 3x32x32, resnets 3x224x224.
     *
     * @param name a model name (case-insensitive)
     * @return the default (C, H, W)
     */
    public static Shape defaultInputShape(String name) {
        String canonical = canonicalName(name);
        if (canonical.equals("cnn")) {
            return new Shape(1, 28, 28);
        }
        if (canonical.startsWith("resnet")) {
            return new Shape(3, 224, 224);
        }
        return new Shape(3, 32, 32);
    }

    /**
     * Counts trainable parameters after initialising on the given input shape (C,H,W) with a
     * throwaway manager. The count does not depend on the spatial size except for {@code cnn}
     * (whose first Linear layer sees {@code 64*(H/4)*(W/4)} features) and VGG (which needs
     * 32x32), so large models may be counted on small inputs. Initialising draws from the engine's
     * random generator.
     *
     * @param name a model name (case-insensitive)
     * @param numClasses the number of outputs
     * @param inputShapeChw the input shape without the batch axis
     * @return the number of scalars in parameters that require gradients
     */
    public static long countTrainableParameters(String name, int numClasses, Shape inputShapeChw) {
        if (inputShapeChw == null || inputShapeChw.dimension() != 3) {
            throw new IllegalArgumentException(
                    "input shape must be (C, H, W), got " + inputShapeChw);
        }
        Block block = build(name, numClasses, Math.toIntExact(inputShapeChw.get(0)));
        try (NDManager manager = NDManager.newBaseManager()) {
            block.initialize(
                    manager, DataType.FLOAT32, new Shape(1).addAll(inputShapeChw));
            return trainableParameterCount(block);
        }
    }

    /**
     * Counts the scalars of an initialised block's parameters that require gradients.
     *
     * @param block an initialised block
     * @return the count
     */
    public static long trainableParameterCount(Block block) {
        long total = 0;
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                total += p.getShape().size();
            }
        }
        return total;
    }
}
