package io.twa4j.core.twa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Cholesky factor L of the Gram matrix {@code G = P Pᵀ} of a basis's rows as stored, grown
 * one row at a time, so that a new snapshot is projected onto the span of the stored rows exactly
 * even where they are orthonormal only to their quantisation: {@code c = G⁻¹ P v},
 * {@code v − Pᵀc ⊥ every stored row}.
 *
 * <p>A new row q brings its Gram column {@code g = (P q, q·q)}; its row of L is
 * {@code l = L⁻¹ g_{0..n-1}} with the pivot {@code √(q·q − l·l)}. {@link #solve} is a forward and
 * a back substitution. Both are O(n²), in double.
 */
final class GramFactor {

    /** Row i of L, of length i + 1. */
    private final List<double[]> lower = new ArrayList<>();

    /**
     * Adds the next row, given its Gram column: its inner products with the rows so far, then
     * with itself (length: the rows factored so far + 1).
     *
     * @throws IllegalStateException if the row is (numerically) in the span of the others
     */
    void extend(double[] column) {
        int n = lower.size();
        if (column.length != n + 1) {
            throw new IllegalArgumentException("a Gram column of " + column.length + " entries for row " + n);
        }
        double[] row = Arrays.copyOf(LowerTriangular.solve(lower, Arrays.copyOf(column, n)), n + 1);
        double squares = 0;
        for (int i = 0; i < n; i++) {
            squares += row[i] * row[i];
        }
        double pivot = column[n] - squares;
        if (!(pivot > 0)) {
            throw new IllegalStateException("row " + n + " is in the span of the stored rows (Gram pivot " + pivot + ")");
        }
        row[n] = Math.sqrt(pivot);
        lower.add(row);
    }

    /** The c with {@code G c = b} (b with one entry per row factored). */
    double[] solve(double[] b) {
        int n = lower.size();
        if (b.length != n) {
            throw new IllegalArgumentException("b has " + b.length + " entries, G is " + n + " × " + n);
        }
        return LowerTriangular.solveTransposed(lower, LowerTriangular.solve(lower, b));
    }
}
