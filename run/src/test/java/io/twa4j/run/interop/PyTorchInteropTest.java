package io.twa4j.run.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Batch;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.twa4j.core.average.BatchNormUpdate;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.vision.models.ModelZoo;
import io.twa4j.vision.models.TorchNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * twa4j's models against their PyTorch reference definitions ({@code interop/reference_models.py}),
 * run by real PyTorch: the same state_dict keys and shapes for every zoo model, and the same logits
 * (eval mode, to 1e-4) for weights exported by twa4j and loaded with {@code strict=True}, and for a
 * state_dict saved by PyTorch and read by twa4j. Skipped, with the reason, where the interpreter
 * ({@code TWA4J_TORCH_PYTHON}, else {@code python3}) cannot import torch and safetensors.
 */
class PyTorchInteropTest {

    private static final double TOLERANCE = 1e-4;
    private static String unavailable;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTorch() {
        unavailable = TorchPython.unavailable();
    }

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("cnn", new Shape(1, 28, 28)), Arguments.of("VGG16BN", new Shape(3, 32, 32)),
                Arguments.of("PreResNet164", new Shape(3, 32, 32)), Arguments.of("resnet18", new Shape(3, 64, 64)));
    }

    @Test
    void everyZooModelHasTheKeysAndShapesOfItsReferenceStateDict() throws IOException {
        assumeTrue(unavailable == null, () -> unavailable);
        JsonNode reference = TorchPython.reference("shapes");
        for (String model : ModelZoo.names()) {
            Shape image = model.equals("cnn") ? new Shape(1, 28, 28) : new Shape(3, 32, 32);
            try (NDManager manager = NDManager.newBaseManager()) {
                Block block = ModelZoo.build(model, 10, (int) image.get(0));
                block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(image));
                TorchNames names = ModelZoo.torchNames(model);
                Map<String, Shape> shapes = ParameterLayout.all(block).shapesByName();
                List<String> keys = new ArrayList<>();
                for (JsonNode entry : reference.get(model)) {
                    String key = entry.get(0).asText();
                    keys.add(key);
                    Shape shape = shapeOf(entry.get(1));
                    if (names.isBatchCounter(key)) {
                        assertThat(shape).as(model + " " + key).isEqualTo(new Shape());
                        assertThat(entry.get(2).asText()).as(model + " " + key).isEqualTo("torch.int64");
                    } else {
                        String djl = names.djlName(key).orElseThrow(() -> new AssertionError(model + ": no parameter is " + key));
                        assertThat(shapes.get(djl)).as(model + " " + key + " = " + djl).isEqualTo(shape);
                        assertThat(entry.get(2).asText()).isEqualTo("torch.float32");
                    }
                }
                assertThat(names.stateDictKeys()).as(model).containsExactlyElementsOf(keys);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void logitsAgreeWithPyTorchBothWays(String model, Shape image) throws IOException {
        assumeTrue(unavailable == null, () -> unavailable);
        try (NDManager manager = NDManager.newBaseManager()) {
            Twin twin = new Twin(model, image, manager, dir);
            // (a) weights exported by twa4j, loaded by the reference with strict=True; (b) a state_dict saved by PyTorch
            Path exported = dir.resolve(model + "-twa4j.safetensors");
            twin.export(exported, Map.of());
            Path saved = dir.resolve(model + "-torch.safetensors");
            JsonNode reference = TorchPython.reference("both", model, exported.toString(), "11", saved.toString(), twin.input.toString());
            float[] ours = twin.logits();
            double exportedDiff = maxDifference(ours, reference.get("loaded"));
            // (b) read by twa4j
            try (NDManager scope = manager.newSubManager()) {
                Map<String, NDArray> tensors = SafeTensors.read(saved, scope);
                assertThat(twin.naming.naming(tensors.keySet())).isEqualTo(WeightNaming.Naming.PYTORCH);
                new FlatParameters(ParameterLayout.all(twin.block)).write(twin.naming.toModel(tensors, saved + ": "));
            }
            double readDiff = maxDifference(twin.logits(), reference.get("made"));
            // (c) the same weights as a reference checkpoint (.pt, DataParallel's keys), read as eval --weights reads
            twin.reset();
            try (NDManager scope = manager.newSubManager()) {
                Path checkpoint = Path.of(saved + ".pt");
                Map<String, NDArray> tensors = io.twa4j.run.WeightsSource.read(checkpoint.toString(), "checkpoint", scope);
                new FlatParameters(ParameterLayout.all(twin.block)).write(twin.naming.toModel(tensors, checkpoint + ": "));
            }
            double ptDiff = maxDifference(twin.logits(), reference.get("made"));
            System.out.printf(Locale.ROOT, "%s %s: largest logit difference, PyTorch checkpoint (.pt) in twa4j %.3g%n", model, image, ptDiff);
            assertThat(ptDiff).as(model + ": saved by PyTorch as .pt, logits in twa4j").isLessThanOrEqualTo(TOLERANCE);
            System.out.printf(Locale.ROOT, "%s %s: largest logit difference, twa4j export in PyTorch %.3g (largest |logit| %.3g),"
                    + " PyTorch state_dict in twa4j %.3g (largest |logit| %.3g)%n", model, image, exportedDiff, largest(ours),
                    readDiff, largest(twin.logits()));
            assertThat(exportedDiff).as(model + ": exported by twa4j, logits in PyTorch").isLessThanOrEqualTo(TOLERANCE);
            assertThat(readDiff).as(model + ": saved by PyTorch, logits in twa4j").isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void twoSwappedNamesOfTheSameShapeFailTheLogitsCheck() throws IOException {
        assumeTrue(unavailable == null, () -> unavailable);
        try (NDManager manager = NDManager.newBaseManager()) {
            Twin twin = new Twin("cnn", new Shape(1, 28, 28), manager, dir);
            Path exported = dir.resolve("swapped.safetensors");
            twin.export(exported, Map.of("1.weight", "1.bias")); // BatchNorm's gamma and beta, both (32)
            double diff = maxDifference(twin.logits(), TorchPython.reference("logits", "cnn", exported.toString(),
                    twin.input.toString()).get("logits"));
            System.out.printf(Locale.ROOT, "cnn with 1.weight and 1.bias swapped: largest logit difference %.3g%n", diff);
            assertThat(diff).isGreaterThan(TOLERANCE);
        }
    }

    /**
     * A seeded twa4j model with BatchNorm's affine away from 1/0 and its running statistics those of
     * the input, a seeded batch of 2.
     */
    private static final class Twin {
        final Block block;
        final WeightNaming naming;
        final NDArray x;
        final Path input;
        final NDManager manager;

        Twin(String model, Shape image, NDManager manager, Path dir) {
            this.manager = manager;
            Engine.getInstance().setRandomSeed(5);
            block = ModelZoo.build(model, 10, (int) image.get(0));
            Shape batch = new Shape(2).addAll(image);
            block.initialize(manager, DataType.FLOAT32, batch);
            for (ParameterLayout.Entry e : ParameterLayout.all(block).entries()) {
                String name = e.name();
                if (name.endsWith("_gamma")) {
                    e.array().set(new ai.djl.ndarray.index.NDIndex("..."), manager.randomUniform(0.6f, 1.4f, e.shape()));
                } else if (name.endsWith("_beta")) {
                    e.array().set(new ai.djl.ndarray.index.NDIndex("..."), manager.randomNormal(0f, 0.2f, e.shape(), DataType.FLOAT32));
                }
            }
            naming = WeightNaming.of(model, block);
            x = manager.randomNormal(batch);
            // running statistics of this very input, so that deep nets keep logits of order 1 in eval mode
            NDManager batchManager = manager.newSubManager();
            BatchNormUpdate.run(block, manager, List.of(new Batch(batchManager, new NDList(x.duplicate()), new NDList(), 2, null,
                    null, 0, 1)));
            input = dir.resolve(model + "-input.safetensors");
            SafeTensors.write(input, Map.of("x", x), Map.of());
        }

        /** Writes the PyTorch names, the keys of each pair in {@code swapped} exchanged. */
        void export(Path file, Map<String, String> swapped) {
            try (NDManager scope = manager.newSubManager()) {
                Map<String, NDArray> tensors = naming.toPyTorch(scope);
                swapped.forEach((a, b) -> tensors.put(a, tensors.put(b, tensors.get(a))));
                SafeTensors.write(file, tensors, Map.of("format", "pt"));
            }
        }

        /** Zeroes every parameter, so that a file read afterwards must bring every value itself. */
        void reset() {
            for (ParameterLayout.Entry e : ParameterLayout.all(block).entries()) {
                e.array().set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
            }
        }

        float[] logits() {
            try (NDManager scope = manager.newSubManager()) {
                NDArray out = block.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
                out.attach(scope);
                return out.toFloatArray();
            }
        }
    }

    private static double maxDifference(float[] ours, JsonNode theirs) {
        List<Double> flat = new ArrayList<>();
        for (JsonNode row : theirs) {
            row.forEach(v -> flat.add(v.asDouble()));
        }
        assertThat(flat).hasSize(ours.length);
        double max = 0;
        Iterator<Double> it = flat.iterator();
        for (float o : ours) {
            double d = Math.abs(o - it.next());
            max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
        }
        return max;
    }

    private static double largest(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static Shape shapeOf(JsonNode dims) {
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i).asLong();
        }
        return new Shape(d);
    }
}
