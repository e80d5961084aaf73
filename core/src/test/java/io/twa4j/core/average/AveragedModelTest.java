package io.twa4j.core.average;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import io.twa4j.core.ArrayBatchSource;
import io.twa4j.core.TestBlocks;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The averages against their formulas, computed here in doubles from the values the model held. */
class AveragedModelTest {

    private static final Shape INPUT = new Shape(1, BatchNormUpdateTest.DIM);

    /** Sets every parameter of {@code view} to fresh random values and returns them. */
    private static float[] randomise(FlatParameters view, NDManager manager, SplittableRandom random) {
        float[] values = new float[(int) view.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * 2 + 0.5);
        }
        try (NDManager scope = manager.newSubManager()) {
            view.write(scope.create(values));
        }
        return values;
    }

    @Test
    void equalAverageIsTheArithmeticMeanOfTheValuesSeen() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, INPUT, BatchNormUpdateTest.HIDDEN, 3);
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
            SplittableRandom random = new SplittableRandom(3);
            double[] sum = new double[(int) trainable.size()];
            try (AveragedModel swa = AveragedModel.equal(block, manager)) {
                for (int n = 1; n <= 7; n++) {
                    float[] values = randomise(trainable, manager, random);
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += values[i];
                    }
                    swa.update();
                    assertThat(swa.count()).isEqualTo(n);
                    float[] average = swa.average(manager).toFloatArray();
                    for (int i = 0; i < sum.length; i++) {
                        assertThat((double) average[i]).as("after %d, entry %d", n, i).isCloseTo(sum[i] / n, within(1e-5));
                    }
                }
                assertThat(swa.layout().size()).isEqualTo(trainable.size());
            }
        }
    }

    @Test
    void emaFollowsItsFormulaWithAndWithoutWarmup() {
        for (boolean warmup : new boolean[] {false, true}) {
            double decay = 0.8;
            try (NDManager manager = NDManager.newBaseManager()) {
                SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, INPUT, BatchNormUpdateTest.HIDDEN, 3);
                // EMA covers BatchNorm statistics too
                FlatParameters all = new FlatParameters(ParameterLayout.all(block));
                SplittableRandom random = new SplittableRandom(5);
                double[] expected = null;
                try (AveragedModel ema = AveragedModel.ema(block, manager, decay, warmup)) {
                    assertThat(ema.layout().size()).isGreaterThan(ParameterLayout.trainable(block).size());
                    for (int n = 1; n <= 6; n++) {
                        float[] values = randomise(all, manager, random);
                        if (expected == null) {
                            expected = new double[values.length];
                            for (int i = 0; i < values.length; i++) {
                                expected[i] = values[i];
                            }
                        } else {
                            // TensorFlow's warm-up: min(decay, (1 + k) / (10 + k)) with k = n - 1 updates before
                            double d = warmup ? Math.min(decay, (1.0 + n - 1) / (10.0 + n - 1)) : decay;
                            assertThat(AveragedModel.emaDecay(decay, warmup, n)).isCloseTo(d, within(1e-15));
                            for (int i = 0; i < values.length; i++) {
                                expected[i] = d * expected[i] + (1 - d) * values[i];
                            }
                        }
                        ema.update();
                    }
                    float[] average = ema.average(manager).toFloatArray();
                    for (int i = 0; i < average.length; i++) {
                        assertThat((double) average[i]).as("warmup %s, entry %d", warmup, i).isCloseTo(expected[i], within(1e-5));
                    }
                }
            }
        }
        assertThatThrownBy(() -> AveragedModel.exponential(1.0, false)).hasMessageContaining("[0, 1)");
    }

    @Test
    void warmupActuallyChangesTheResult() {
        // with decay 0.99 and no warm-up the first value dominates; with warm-up it does not
        assertThat(AveragedModel.emaDecay(0.99, true, 2)).isCloseTo(2.0 / 11, within(1e-15));
        assertThat(AveragedModel.emaDecay(0.99, false, 2)).isEqualTo(0.99);
        assertThat(AveragedModel.emaDecay(0.99, true, 5000)).isEqualTo(0.99);
        assertThat(AveragedModel.emaDecay(0.99, true, 1)).isZero();
    }

    @Test
    void swapPutsTheAverageInAndEveryValueBackExactly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, INPUT, BatchNormUpdateTest.HIDDEN, 3);
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
            FlatParameters all = new FlatParameters(ParameterLayout.all(block));
            SplittableRandom random = new SplittableRandom(9);
            ArrayBatchSource data = new ArrayBatchSource(BatchNormUpdateTest.inputs(40), new int[40], new Shape(BatchNormUpdateTest.DIM), 3, 16, 1, false);
            try (AveragedModel swa = AveragedModel.equal(block, manager)) {
                assertThatThrownBy(swa::swapIn).hasMessageContaining("update()");
                randomise(trainable, manager, random);
                swa.update();
                randomise(trainable, manager, random);
                swa.update();
                randomise(all, manager, random);
                float[] training = all.read(manager).toFloatArray();
                float[] average = swa.average(manager).toFloatArray();
                int arraysBefore = manager.getManagedArrays().size();
                try (AveragedModel.Swap swapped = swa.swapIn()) {
                    assertThat(trainable.read(manager).toFloatArray()).containsExactly(average);
                    BatchNormUpdate.run(block, manager, data); // changes the running statistics
                }
                assertThat(all.read(manager).toFloatArray()).as("restored bit for bit").containsExactly(training);
                assertThat(manager.getManagedArrays().size()).as("nothing left behind").isEqualTo(arraysBefore + 2);
            }
        }
    }

    @Test
    void batchNormUpdateOnTheAverageGivesTheAverageModelsStatistics() {
        float[][] x = BatchNormUpdateTest.inputs(48);
        ArrayBatchSource data = new ArrayBatchSource(x, new int[48], new Shape(BatchNormUpdateTest.DIM), 3, 48, 1, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, INPUT, BatchNormUpdateTest.HIDDEN, 3);
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
            SplittableRandom random = new SplittableRandom(11);
            try (AveragedModel swa = AveragedModel.equal(block, manager)) {
                for (int n = 0; n < 3; n++) {
                    randomise(trainable, manager, random);
                    swa.update();
                }
                randomise(trainable, manager, random); // the last iterate differs from the average
                double[][] lastActivations = BatchNormUpdateTest.activations(block, x);
                try (AveragedModel.Swap swapped = swa.swapIn()) {
                    BatchNormUpdate.run(block, manager, data);
                    double[][] a = BatchNormUpdateTest.activations(block, x); // from the averaged weights
                    float[] mean = BatchNormUpdateTest.batchNorm(block).getParameters().get("runningMean").getArray().toFloatArray();
                    for (int h = 0; h < BatchNormUpdateTest.HIDDEN; h++) {
                        double m = 0;
                        double lastM = 0;
                        for (int i = 0; i < x.length; i++) {
                            m += a[i][h] / x.length;
                            lastM += lastActivations[i][h] / x.length;
                        }
                        assertThat((double) mean[h]).isCloseTo(m, within(1e-4 * (1 + Math.abs(m))));
                        assertThat(Math.abs(m - lastM)).as("the test can tell the two apart").isGreaterThan(1e-2);
                    }
                }
            }
        }
    }

    @Test
    void customFunctionAndRestore() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, INPUT, BatchNormUpdateTest.HIDDEN, 3);
            FlatParameters trainable = new FlatParameters(ParameterLayout.trainable(block));
            SplittableRandom random = new SplittableRandom(13);
            AveragedModel.AverageFunction maximum = (average, current, averaged, scope) -> current.maximum(average);
            float[] first;
            float[] second;
            try (AveragedModel max = AveragedModel.of(block, manager, AveragedModel.Tracked.TRAINABLE, maximum)) {
                first = randomise(trainable, manager, random);
                max.update();
                second = randomise(trainable, manager, random);
                max.update();
                float[] result = max.average(manager).toFloatArray();
                for (int i = 0; i < result.length; i++) {
                    assertThat(result[i]).isEqualTo(Math.max(first[i], second[i]));
                }
            }
            try (AveragedModel swa = AveragedModel.equal(block, manager)) {
                swa.restore(manager.create(first), 4); // as if 4 values averaged to `first`
                float[] third = randomise(trainable, manager, random);
                swa.update();
                float[] result = swa.average(manager).toFloatArray();
                for (int i = 0; i < result.length; i++) {
                    assertThat((double) result[i]).isCloseTo((4.0 * first[i] + third[i]) / 5, within(1e-5));
                }
                assertThat(swa.count()).isEqualTo(5);
                assertThatThrownBy(() -> swa.restore(manager.create(new float[3]), 1)).hasMessageContaining("shape");
            }
        }
    }

    @Test
    void batchNormUpdateAcceptsDjlBatches() {
        float[][] x = BatchNormUpdateTest.inputs(30);
        ArrayBatchSource data = new ArrayBatchSource(x, new int[30], new Shape(BatchNormUpdateTest.DIM), 3, 10, 1, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, INPUT, BatchNormUpdateTest.HIDDEN, 3);
            BatchNormUpdate.run(block, manager, data);
            float[] fromSource = BatchNormUpdateTest.batchNorm(block).getParameters().get("runningVar").getArray().toFloatArray();
            List<Batch> batches = new ArrayList<>();
            for (int start = 0; start < 30; start += 10) {
                float[][] rows = java.util.Arrays.copyOfRange(x, start, start + 10);
                NDManager batchManager = manager.newSubManager();
                NDArray features = batchManager.create(rows);
                batches.add(new Batch(batchManager, new NDList(features), new NDList(), 10,
                        Batchifier.STACK, Batchifier.STACK, start / 10, 3));
            }
            BatchNormUpdate.run(block, manager, batches);
            float[] fromDjl = BatchNormUpdateTest.batchNorm(block).getParameters().get("runningVar").getArray().toFloatArray();
            for (int h = 0; h < fromSource.length; h++) {
                assertThat(fromDjl[h]).isCloseTo(fromSource[h], within(1e-5f * (1 + Math.abs(fromSource[h]))));
            }
        }
    }

    @Test
    void updatesLeaveNoArraysBehind() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, INPUT, BatchNormUpdateTest.HIDDEN, 3);
            try (AveragedModel ema = AveragedModel.ema(block, manager, 0.9, true);
                    AveragedModel swa = AveragedModel.equal(block, manager)) {
                ema.update();
                swa.update();
                int arrays = manager.getManagedArrays().size();
                for (int i = 0; i < 50; i++) {
                    ema.update();
                    swa.update();
                }
                assertThat(manager.getManagedArrays().size()).isEqualTo(arrays);
            }
        }
    }
}
