package io.twa4j.core.average;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import io.twa4j.core.ArrayBatchSource;
import io.twa4j.core.TestBlocks;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchNormUpdateTest {

    static final int DIM = 5;
    static final int HIDDEN = 4;

    /** The BatchNorm's input is the first Linear's output: x Wᵀ + b, computed here in doubles. */
    static double[][] activations(SequentialBlock block, float[][] inputs) {
        Block linear = block.getChildren().get(1).getValue();
        float[] weight = linear.getParameters().get("weight").getArray().toFloatArray(); // (HIDDEN, DIM)
        float[] bias = linear.getParameters().get("bias").getArray().toFloatArray();
        double[][] out = new double[inputs.length][HIDDEN];
        for (int i = 0; i < inputs.length; i++) {
            for (int h = 0; h < HIDDEN; h++) {
                double sum = bias[h];
                for (int d = 0; d < DIM; d++) {
                    sum += (double) weight[h * DIM + d] * inputs[i][d];
                }
                out[i][h] = sum;
            }
        }
        return out;
    }

    static float[][] inputs(int n) {
        SplittableRandom random = new SplittableRandom(17);
        float[][] x = new float[n][DIM];
        for (float[] row : x) {
            for (int d = 0; d < DIM; d++) {
                row[d] = (float) (random.nextGaussian() * (d + 1) + d);
            }
        }
        return x;
    }

    static BatchNorm batchNorm(SequentialBlock block) {
        return (BatchNorm) block.getChildren().get(2).getValue();
    }

    @Test
    void oneBatchGivesTheDataMeanAndUnbiasedVariance() {
        float[][] x = inputs(64);
        ArrayBatchSource data = new ArrayBatchSource(x, new int[64], new Shape(DIM), 2, 64, 1, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(1, DIM), HIDDEN, 2);
            BatchNorm bn = batchNorm(block);
            NDArray runningMean = bn.getParameters().get("runningMean").getArray();
            NDArray runningVar = bn.getParameters().get("runningVar").getArray();
            // stale statistics from elsewhere must not matter
            runningMean.set(new NDIndex("..."), manager.full(runningMean.getShape(), 123f));
            runningVar.set(new NDIndex("..."), manager.full(runningVar.getShape(), 77f));
            float[] weightsBefore = new FlatParameters(ParameterLayout.trainable(block)).read(manager).toFloatArray();

            assertThat(BatchNormUpdate.run(block, manager, data)).isEqualTo(1);

            double[][] a = activations(block, x);
            float[] mean = runningMean.toFloatArray();
            float[] variance = runningVar.toFloatArray();
            for (int h = 0; h < HIDDEN; h++) {
                double m = 0;
                for (double[] row : a) {
                    m += row[h] / a.length;
                }
                double v = 0;
                for (double[] row : a) {
                    v += (row[h] - m) * (row[h] - m) / (a.length - 1);
                }
                assertThat((double) mean[h]).as("mean %d", h).isCloseTo(m, within(1e-4 * (1 + Math.abs(m))));
                assertThat((double) variance[h]).as("variance %d", h).isCloseTo(v, within(1e-4 * v));
            }
            assertThat(new FlatParameters(ParameterLayout.trainable(block)).read(manager).toFloatArray())
                    .as("trainable parameters untouched").containsExactly(weightsBefore);
        }
    }

    @Test
    void severalBatchesAverageTheirStatisticsWeightedByBatchSize() {
        float[][] x = inputs(50);
        int batch = 20; // batches of 20, 20, 10
        ArrayBatchSource data = new ArrayBatchSource(x, new int[50], new Shape(DIM), 2, batch, 1, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(1, DIM), HIDDEN, 2);
            BatchNormUpdate.run(block, manager, data);
            double[][] a = activations(block, x);
            float[] mean = batchNorm(block).getParameters().get("runningMean").getArray().toFloatArray();
            float[] variance = batchNorm(block).getParameters().get("runningVar").getArray().toFloatArray();
            for (int h = 0; h < HIDDEN; h++) {
                double expectedMean = 0;
                double expectedVariance = 0;
                for (int start = 0; start < 50; start += batch) {
                    int end = Math.min(50, start + batch);
                    double m = 0;
                    for (int i = start; i < end; i++) {
                        m += a[i][h] / (end - start);
                    }
                    double v = 0;
                    for (int i = start; i < end; i++) {
                        v += (a[i][h] - m) * (a[i][h] - m) / (end - start - 1);
                    }
                    expectedMean += m * (end - start) / 50;
                    expectedVariance += v * (end - start) / 50;
                }
                assertThat((double) mean[h]).isCloseTo(expectedMean, within(1e-4 * (1 + Math.abs(expectedMean))));
                assertThat((double) variance[h]).isCloseTo(expectedVariance, within(1e-4 * expectedVariance));
            }
            int before = manager.getManagedArrays().size();
            BatchNormUpdate.run(block, manager, data);
            assertThat(manager.getManagedArrays().size()).as("no arrays left behind").isEqualTo(before);
        }
    }
}
