package io.twa4j.vision.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reference initialisation distributions and seeding. */
class ModelZooInitTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private Block init(String name, int classes, Shape chw, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Block block = ModelZoo.build(name, classes, (int) chw.get(0));
        block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(chw));
        return block;
    }

    /** Parameters whose name ends with the suffix and whose array has the given rank. */
    private static List<NDArray> arrays(Block block, String suffix, int rank) {
        List<NDArray> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray a = p.getValue().getArray();
            if (p.getKey().endsWith(suffix) && a.getShape().dimension() == rank) {
                out.add(a);
            }
        }
        return out;
    }

    private static double std(NDArray a) {
        double mean = a.mean().getFloat();
        return Math.sqrt(a.sub(mean).square().mean().getFloat());
    }

    private static double maxAbs(NDArray a) {
        return a.abs().max().getFloat();
    }

    /** Relative tolerance for a sample std of n normals: 4 standard errors plus 1%. */
    private static double tol(long n) {
        return 4.0 / Math.sqrt(2.0 * n) + 0.01;
    }

    private static void assertHeNormal(NDArray w, long fan) {
        double expected = Math.sqrt(2.0 / fan);
        long n = w.size();
        assertThat(std(w)).as("std of %s", w.getShape())
                .isCloseTo(expected, within(expected * tol(n)));
        assertThat((double) w.mean().getFloat()).as("mean of %s", w.getShape())
                .isCloseTo(0.0, within(5 * expected / Math.sqrt(n)));
    }

    private static void assertTorchDefaultUniform(NDArray w, long fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        assertThat(maxAbs(w)).isLessThanOrEqualTo(bound * (1 + 1e-6));
        if (w.size() >= 1000) {
            // U(-b, b) has std b/sqrt(3).
            double expected = bound / Math.sqrt(3);
            assertThat(std(w)).isCloseTo(expected, within(expected * tol(w.size())));
        }
    }

    @Test
    void vggConvWeightsAreHeNormalFanOutWithZeroBias() {
        Block vgg = init("VGG16", 10, new Shape(3, 32, 32), 1);
        List<NDArray> convW = arrays(vgg, "weight", 4);
        assertThat(convW).hasSize(13);
        for (NDArray w : convW) {
            long out = w.getShape().get(0);
            assertHeNormal(w, 9 * out); // n = k*k*out_channels
        }
        List<NDArray> convB = new ArrayList<>();
        for (Pair<String, Parameter> p : vgg.getParameters()) {
            if (p.getKey().endsWith("bias") && p.getKey().contains("Conv2d")) {
                convB.add(p.getValue().getArray());
            }
        }
        assertThat(convB).hasSize(13);
        for (NDArray b : convB) {
            assertThat(maxAbs(b)).isZero();
        }
        // Linear layers: PyTorch default, weight and bias U(+-1/sqrt(fan_in)), fan_in 512.
        List<NDArray> linW = arrays(vgg, "weight", 2);
        assertThat(linW).hasSize(3);
        for (NDArray w : linW) {
            assertTorchDefaultUniform(w, 512);
        }
        for (NDArray b : arrays(vgg, "bias", 1)) {
            if (b.size() == 512 || b.size() == 10) {
                assertThat(maxAbs(b)).isLessThanOrEqualTo(1 / Math.sqrt(512) + 1e-6);
            }
        }
        NDArray lastBias = arrays(vgg, "bias", 1).get(arrays(vgg, "bias", 1).size() - 1);
        assertThat(lastBias.getShape()).isEqualTo(new Shape(10));
        assertThat(maxAbs(lastBias)).isPositive();
    }

    @Test
    void batchNormStartsAtOneZeroAndItsStatisticsAreNotTrainable() {
        Block net = init("resnet18", 10, new Shape(3, 32, 32), 2);
        int gammas = 0;
        int stats = 0;
        for (Pair<String, Parameter> p : net.getParameters()) {
            Parameter param = p.getValue();
            NDArray a = param.getArray();
            switch (param.getType()) {
                case GAMMA:
                    gammas++;
                    assertThat(param.requiresGradient()).isTrue();
                    assertThat(a.eq(1f).all().getBoolean()).isTrue();
                    break;
                case BETA:
                    assertThat(param.requiresGradient()).isTrue();
                    assertThat(maxAbs(a)).isZero();
                    break;
                case RUNNING_MEAN:
                case RUNNING_VAR:
                    stats++;
                    assertThat(param.requiresGradient()).isFalse();
                    break;
                default:
                    break;
            }
        }
        // 1 stem + 16 in the blocks + 3 projection BNs.
        assertThat(gammas).isEqualTo(20);
        assertThat(stats).isEqualTo(40);
    }

    @Test
    void resnetConvIsKaimingFanOutAndFcIsTorchDefault() {
        Block net = init("resnet18", 10, new Shape(3, 32, 32), 3);
        List<NDArray> convW = arrays(net, "weight", 4);
        assertThat(convW).hasSize(20);
        for (NDArray w : convW) {
            Shape s = w.getShape();
            assertHeNormal(w, s.get(0) * s.get(2) * s.get(3));
        }
        assertThat(convW.get(0).getShape()).isEqualTo(new Shape(64, 3, 7, 7));
        NDArray fc = arrays(net, "weight", 2).get(0);
        assertThat(fc.getShape()).isEqualTo(new Shape(10, 512));
        assertTorchDefaultUniform(fc, 512);
    }

    @Test
    void preResNetConvIsNormalFanOut() {
        Block net = init("PreResNet164", 10, new Shape(3, 32, 32), 4);
        List<NDArray> convW = arrays(net, "weight", 4);
        // stem + 3 per Bottleneck * 54 + 3 projections
        assertThat(convW).hasSize(1 + 3 * 54 + 3);
        for (NDArray w : convW) {
            Shape s = w.getShape();
            if (w.size() >= 1000) {
                assertHeNormal(w, s.get(0) * s.get(2) * s.get(3));
            }
        }
    }

    @Test
    void wideResNets() {
        // TWA WideResNet16x8: kaiming_normal fan_in, no conv bias, zero classifier.
        Block twa = init("WideResNet16x8", 10, new Shape(3, 32, 32), 5);
        for (NDArray w : arrays(twa, "weight", 4)) {
            Shape s = w.getShape();
            assertHeNormal(w, s.get(1) * s.get(2) * s.get(3));
        }
        for (Pair<String, Parameter> p : twa.getParameters()) {
            assertThat(p.getKey()).doesNotContainPattern("Conv2d_bias$");
        }
        NDArray fc = arrays(twa, "weight", 2).get(0);
        assertThat(fc.getShape()).isEqualTo(new Shape(10, 512));
        assertThat(maxAbs(fc)).isZero();

        // swa WideResNet28x10: PyTorch default for convs (conv_init is never applied there):
        // weight and bias U(+-1/sqrt(fan_in)).
        Block swa = init("WideResNet28x10", 10, new Shape(3, 8, 8), 6);
        ParameterList params = swa.getParameters();
        int convs = 0;
        for (Pair<String, Parameter> p : params) {
            NDArray w = p.getValue().getArray();
            if (!p.getKey().endsWith("weight") || w.getShape().dimension() != 4) {
                continue;
            }
            convs++;
            Shape s = w.getShape();
            long fanIn = s.get(1) * s.get(2) * s.get(3);
            assertTorchDefaultUniform(w, fanIn);
            String key = p.getKey();
            String biasKey = key.substring(0, key.length() - "weight".length()) + "bias";
            NDArray b = params.get(biasKey).getArray();
            assertThat(maxAbs(b))
                    .as(biasKey)
                    .isPositive()
                    .isLessThanOrEqualTo(1 / Math.sqrt(fanIn) + 1e-6);
        }
        assertThat(convs).isEqualTo(1 + 2 * 12 + 3);
    }

    @Test
    void sameSeedGivesSameWeightsAndAnotherSeedDoesNot() {
        List<float[]> first = flat(init("cnn", 10, new Shape(1, 28, 28), 42));
        List<float[]> again = flat(init("cnn", 10, new Shape(1, 28, 28), 42));
        List<float[]> other = flat(init("cnn", 10, new Shape(1, 28, 28), 43));
        assertThat(again).hasSameSizeAs(first);
        for (int i = 0; i < first.size(); i++) {
            assertThat(Arrays.equals(again.get(i), first.get(i))).as("parameter %d", i).isTrue();
        }
        assertThat(Arrays.equals(other.get(0), first.get(0))).isFalse();

        List<float[]> vggA = flat(init("VGG16BN", 10, new Shape(3, 32, 32), 7));
        List<float[]> vggB = flat(init("VGG16BN", 10, new Shape(3, 32, 32), 7));
        for (int i = 0; i < vggA.size(); i++) {
            assertThat(Arrays.equals(vggB.get(i), vggA.get(i))).as("parameter %d", i).isTrue();
        }
    }

    private static List<float[]> flat(Block block) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
