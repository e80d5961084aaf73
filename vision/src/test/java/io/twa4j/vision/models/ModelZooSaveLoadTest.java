package io.twa4j.vision.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Blocks (including the custom {@link Residual}) survive DJL's parameter save/load. */
class ModelZooSaveLoadTest {

    @ParameterizedTest
    @ValueSource(strings = {"cnn", "PreResNet110", "resnet18"})
    void savedParametersReloadIntoAFreshBlock(String name)
            throws IOException, MalformedModelException {
        Shape chw = name.equals("cnn") ? new Shape(1, 28, 28) : new Shape(3, 32, 32);
        Shape input = new Shape(2).addAll(chw);
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Block a = ModelZoo.build(name, 10, (int) chw.get(0));
            a.initialize(manager, DataType.FLOAT32, input);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveParameters(new DataOutputStream(bytes));

            Engine.getInstance().setRandomSeed(2);
            Block b = ModelZoo.build(name, 10, (int) chw.get(0));
            b.initialize(manager, DataType.FLOAT32, input);
            NDArray x = manager.randomNormal(input);
            float[] before = eval(manager, b, x);
            b.loadParameters(
                    manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

            float[] expected = eval(manager, a, x);
            assertThat(before).isNotEqualTo(expected);
            assertThat(eval(manager, b, x)).containsExactly(expected);
        }
    }

    private static float[] eval(NDManager manager, Block block, NDArray x) {
        ParameterStore ps = new ParameterStore(manager, false);
        return block.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
    }
}
