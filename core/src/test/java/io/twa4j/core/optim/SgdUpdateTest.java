package io.twa4j.core.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import io.twa4j.core.TestBlocks;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SgdUpdateTest {

    /**
     * The gradient of sum(w ⊙ c) is c, so each step's gradient is known exactly; the update is
     * checked against PyTorch's formula computed here in doubles, across a learning-rate drop.
     */
    @Test
    void followsPytorchMomentumSgdAcrossALearningRateChange() {
        double momentum = 0.9;
        double wd = 0.01;
        double[] lrs = {0.1, 0.1, 0.01, 0.01};
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(2, 3), 4, 2);
            ParameterLayout layout = ParameterLayout.trainable(block);
            FlatParameters flat = new FlatParameters(layout);
            int d = (int) layout.size();
            double[] w;
            try (NDManager scope = manager.newSubManager()) {
                w = toDoubles(flat.read(scope).toFloatArray());
            }
            double[] buf = new double[d];
            SplittableRandom random = new SplittableRandom(11);
            try (SgdUpdate sgd = new SgdUpdate(layout, momentum, wd)) {
                for (int step = 0; step < lrs.length; step++) {
                    float[] c = new float[d];
                    for (int i = 0; i < d; i++) {
                        c[i] = (float) (random.nextDouble() * 2 - 1);
                    }
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray coefficients = scope.create(c);
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray objective = scope.zeros(new Shape());
                            for (ParameterLayout.Entry entry : layout.entries()) {
                                NDArray part = coefficients.get(entry.offset() + ":" + (entry.offset() + entry.size()))
                                        .reshape(entry.shape());
                                objective = objective.add(entry.array().mul(part).sum());
                                objective.attach(scope);
                            }
                            collector.backward(objective);
                        }
                        sgd.step(lrs[step], scope);
                        flat.zeroGradients();
                        for (int i = 0; i < d; i++) {
                            double direction = c[i] + wd * w[i];
                            buf[i] = step == 0 ? direction : momentum * buf[i] + direction;
                            w[i] -= lrs[step] * buf[i];
                        }
                        float[] actual = flat.read(scope).toFloatArray();
                        for (int i = 0; i < d; i++) {
                            assertThat((double) actual[i]).as("step %d, coordinate %d", step, i).isCloseTo(w[i], within(1e-5));
                        }
                    }
                }
            }
        }
    }

    /**
     * The pass in Java over views gives the engine's ops' bits, parameters and momentum buffers,
     * over parameters that cross the pass's chunks and tasks (D = 80,452 > one task), with and
     * without weight decay, across a learning-rate drop.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0, 0.01})
    void theJavaPassGivesTheEngineOpsBits(double wd) {
        double[] lrs = {0.1, 0.1, 0.01};
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock[] blocks = new SequentialBlock[2];
            for (int b = 0; b < 2; b++) {
                Engine.getInstance().setRandomSeed(5);
                blocks[b] = TestBlocks.mlp(manager, new Shape(2, 301), 257, 11);
            }
            ParameterLayout java = ParameterLayout.trainable(blocks[0]);
            ParameterLayout engine = ParameterLayout.trainable(blocks[1]);
            assertThat(java.size()).isGreaterThan(SgdUpdate.TASK);
            SplittableRandom random = new SplittableRandom(13);
            try (SgdUpdate inJava = new SgdUpdate(java, 0.9, wd); SgdUpdate onEngine = SgdUpdate.onEngine(engine, 0.9, wd)) {
                for (double lr : lrs) {
                    float[] c = new float[(int) java.size()];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = (float) (random.nextDouble() * 2 - 1);
                    }
                    try (NDManager scope = manager.newSubManager()) {
                        takeStep(inJava, java, c, lr, scope);
                        takeStep(onEngine, engine, c, lr, scope);
                        assertThat(new FlatParameters(java).read(scope).toFloatArray())
                                .as("parameters after a step at lr %s", lr)
                                .containsExactly(new FlatParameters(engine).read(scope).toFloatArray());
                        for (int e = 0; e < java.entries().size(); e++) {
                            assertThat(inJava.buffers().get(e).toFloatArray()).as("momentum buffer %d", e)
                                    .containsExactly(onEngine.buffers().get(e).toFloatArray());
                        }
                    }
                }
            }
        }
    }

    /** One step of {@code sgd} on the gradient c of {@code sum(w ⊙ c)}, gradients zeroed after. */
    private static void takeStep(SgdUpdate sgd, ParameterLayout layout, float[] c, double lr, NDManager scope) {
        NDArray coefficients = scope.create(c);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray objective = scope.zeros(new Shape());
            for (ParameterLayout.Entry entry : layout.entries()) {
                NDArray part = coefficients.get(entry.offset() + ":" + (entry.offset() + entry.size())).reshape(entry.shape());
                objective = objective.add(entry.array().mul(part).sum());
                objective.attach(scope);
            }
            collector.backward(objective);
        }
        sgd.step(lr, scope);
        new FlatParameters(layout).zeroGradients();
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
