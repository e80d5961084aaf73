package io.twa4j.core.twa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Cholesky factor grown a row at a time solves {@code G c = b} for the Gram matrix of the rows given. */
class GramFactorTest {

    @Test
    void solvesTheGramSystemOfRowsAddedOneAtATime() {
        Random random = new Random(3);
        for (int n : new int[] {1, 2, 7, 40}) {
            double[][] rows = new double[n][3 * n + 5];
            GramFactor factor = new GramFactor();
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < rows[i].length; c++) {
                    rows[i][c] = random.nextGaussian() + (i > 0 ? 0.9 * rows[i - 1][c] : 0); // far from orthogonal
                }
                double[] column = new double[i + 1];
                for (int j = 0; j <= i; j++) {
                    column[j] = dot(rows[j], rows[i]);
                }
                factor.extend(column);
            }
            double[] expected = new double[n];
            for (int i = 0; i < n; i++) {
                expected[i] = random.nextGaussian();
            }
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    b[i] += dot(rows[i], rows[j]) * expected[j];
                }
            }
            double[] c = factor.solve(b);
            for (int i = 0; i < n; i++) {
                assertThat(c[i]).as("n = %d, c[%d]", n, i).isCloseTo(expected[i], within(1e-8));
            }
        }
    }

    @Test
    void refusesARowInTheSpanOfTheOthers() {
        GramFactor factor = new GramFactor();
        factor.extend(new double[] {4});
        assertThatThrownBy(() -> factor.extend(new double[] {2, 1})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("span");
        assertThatThrownBy(() -> factor.extend(new double[] {1})).isInstanceOf(IllegalArgumentException.class);
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
