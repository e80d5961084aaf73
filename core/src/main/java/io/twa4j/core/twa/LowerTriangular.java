package io.twa4j.core.twa;

import java.util.List;

/**
 * Substitutions with a lower-triangular matrix L held as its rows, row i of length at least i + 1
 * (the basis's snapshot coordinates, the Gram matrix's Cholesky factor).
 */
final class LowerTriangular {

    private LowerTriangular() {}

    /** The y with {@code L y = b} over the first {@code b.length} rows of L (forward substitution). */
    static double[] solve(List<double[]> lower, double[] b) {
        double[] y = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            double[] li = lower.get(i);
            double sum = b[i];
            for (int k = 0; k < i; k++) {
                sum -= li[k] * y[k];
            }
            y[i] = sum / li[i];
        }
        return y;
    }

    /** The x with {@code Lᵀ x = y} over the first {@code y.length} rows of L (back substitution). */
    static double[] solveTransposed(List<double[]> lower, double[] y) {
        int n = y.length;
        double[] x = new double[n];
        for (int j = n - 1; j >= 0; j--) {
            double sum = y[j];
            for (int i = j + 1; i < n; i++) {
                sum -= lower.get(i)[j] * x[i];
            }
            x[j] = sum / lower.get(j)[j];
        }
        return x;
    }
}
