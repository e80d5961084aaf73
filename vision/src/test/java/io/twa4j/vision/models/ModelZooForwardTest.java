package io.twa4j.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Forward (and one backward) passes on small batches. */
class ModelZooForwardTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private NDArray forward(Block block, NDArray x, boolean training) {
        if (!block.isInitialized()) {
            block.initialize(manager, DataType.FLOAT32, x.getShape());
        }
        ParameterStore ps = new ParameterStore(manager, false);
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @ParameterizedTest(name = "{0} on {1}x{2}x{3}x{4} -> {5} classes")
    @CsvSource({
        "cnn,            4, 1, 28, 28, 10",
        "cnn,            2, 3, 32, 32, 10",
        "VGG16BN,        2, 3, 32, 32, 10",
        "PreResNet110,   2, 1, 28, 28, 10",
        "WideResNet16x8, 2, 3, 32, 32, 100",
        "resnet18,       2, 3, 32, 32, 7"
    })
    void outputHasOneRowOfLogitsPerImage(String name, int n, int c, int h, int w, int classes) {
        Block block = ModelZoo.build(name, classes, c);
        NDArray x = manager.randomNormal(new Shape(n, c, h, w));
        NDArray train = forward(block, x, true);
        NDArray eval = forward(block, x, false);
        assertThat(train.getShape()).isEqualTo(new Shape(n, classes));
        assertThat(eval.getShape()).isEqualTo(new Shape(n, classes));
        assertThat(eval.isNaN().any().getBoolean()).isFalse();
    }

    @Test
    void vggRefusesInputsOtherThan32x32WithAClearMessage() {
        Block vgg = ModelZoo.build("VGG16BN", 10, 3);
        assertThatThrownBy(() -> vgg.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VGG expects 32x32 inputs")
                .hasMessageContaining("(512, 2, 2)");
    }

    @Test
    void cnnTrainsEndToEndAndUpdatesBatchNormStatistics() {
        Block cnn = ModelZoo.build("cnn", 10, 1);
        Shape batch = new Shape(128, 1, 28, 28);
        cnn.initialize(manager, DataType.FLOAT32, batch);
        ParameterStore ps = new ParameterStore(manager, false);
        Loss loss = Loss.softmaxCrossEntropyLoss();

        // Three warm-up steps, then five timed ones (the figure is printed, not asserted). Each
        // step's arrays live in a sub-manager closed after the step, as in a training loop.
        long timedNanos = 0;
        for (int i = 0; i < 8; i++) {
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.randomNormal(batch).addi(0.5f);
                NDArray y = step.randomInteger(0, 10, new Shape(128), DataType.INT32);
                long t0 = System.nanoTime();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = cnn.forward(ps, new NDList(x), true).singletonOrThrow();
                    gc.backward(loss.evaluate(new NDList(y), new NDList(out)));
                }
                if (i >= 3) {
                    timedNanos += System.nanoTime() - t0;
                }
            }
        }
        System.out.printf(
                "cnn forward+backward, batch 128x1x28x28: %.1f ms/step%n", timedNanos / 5 / 1e6);

        int trainable = 0;
        for (Pair<String, Parameter> p : cnn.getParameters()) {
            Parameter param = p.getValue();
            NDArray a = param.getArray();
            if (param.requiresGradient()) {
                trainable++;
                assertThat(a.getGradient().abs().sum().getFloat())
                        .as("gradient of %s", p.getKey())
                        .isPositive();
            } else if (param.getType() == Parameter.Type.RUNNING_MEAN) {
                // Training-mode passes have moved the running means off zero.
                assertThat(a.abs().sum().getFloat()).as(p.getKey()).isPositive();
            }
        }
        // 2 conv (w, b) + 2 BN (gamma, beta) + 2 linear (w, b)
        assertThat(trainable).isEqualTo(12);
    }
}
