package io.twa4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The training loss with label smoothing ε against its formula, (1 − ε)·(−log p_y) + ε·mean_c(−log p_c), in doubles. */
class LabelSmoothingTest {

    @Test
    void theSmoothedLossIsTheFormula() {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(3);
            NDArray logits = manager.randomNormal(new Shape(6, 5)).mul(3);
            int[] labels = {0, 4, 2, 2, 1, 3};
            NDArray labelArray = manager.create(labels).toType(ai.djl.ndarray.types.DataType.INT64, false);
            float[] values = logits.toFloatArray();
            for (double eps : new double[] {0, 0.1, 0.5}) {
                float[] loss = Evaluator.crossEntropy(logits, labelArray, eps).toFloatArray();
                for (int i = 0; i < labels.length; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < 5; c++) {
                        max = Math.max(max, values[i * 5 + c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < 5; c++) {
                        sum += Math.exp(values[i * 5 + c] - max);
                    }
                    double logZ = max + Math.log(sum);
                    double meanNll = 0;
                    for (int c = 0; c < 5; c++) {
                        meanNll += (logZ - values[i * 5 + c]) / 5;
                    }
                    double expected = (1 - eps) * (logZ - values[i * 5 + labels[i]]) + eps * meanNll;
                    assertThat((double) loss[i]).as("ε %s, example %d", eps, i).isCloseTo(expected, Offset.offset(1e-5 * (1 + expected)));
                }
            }
            assertThat(Evaluator.crossEntropy(logits, labelArray, 0).toFloatArray())
                    .containsExactly(Evaluator.crossEntropy(logits, labelArray).toFloatArray());
        }
    }

    @Test
    void smoothingOutsideTheUnitIntervalIsRefused() {
        assertThatThrownBy(() -> TrainingLoop.builder().optLabelSmoothing(1.0)).hasMessageContaining("[0, 1)");
    }
}
