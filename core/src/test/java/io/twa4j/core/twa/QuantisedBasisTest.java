package io.twa4j.core.twa;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.twa4j.core.collective.Collective;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A basis held in int8 or int4 (and f16): {@code P g} and {@code Pᵀα}, taken a decoded block at a
 * time, equal the products with the decoded rows computed apart (row pieces decoded separately,
 * summed in double) to 1e-5 relative, over more columns than one decoded block so that the block
 * edges, which fall inside quantisation groups, are crossed; the memory is the encoding's, and
 * the rows are orthonormal to within their quantisation.
 */
class QuantisedBasisTest {

    private static final int N = 3;
    /** Enough columns for three decoded blocks of 3 rows, and not a whole number of groups. */
    private static final long D = 1_900_000 + 77;

    @ParameterizedTest
    @EnumSource(value = RowEncoding.class, names = {"INT8", "INT4", "F16"})
    void productsEqualTheDecodedRowsProducts(RowEncoding encoding) {
        try (NDManager manager = NDManager.newBaseManager();
                Basis basis = new Basis(manager, D, N, Basis.DEFAULT_TOLERANCE, encoding, Collective.single())) {
            Engine.getInstance().setRandomSeed(5);
            NDArray common = manager.randomNormal(new Shape(D));
            for (int i = 0; i < N; i++) {
                basis.add(i, common.add(manager.randomNormal(new Shape(D)).mul(0.3)));
            }
            double[][] rows = decodedRows(basis, manager);
            NDArray g = manager.randomNormal(new Shape(D));
            float[] gradient = g.toFloatArray();
            float[] projected = basis.project(g, manager).toFloatArray();
            for (int j = 0; j < N; j++) {
                double expected = 0;
                double scale = 0;
                for (int c = 0; c < D; c++) {
                    expected += rows[j][c] * gradient[c];
                    scale += Math.abs(rows[j][c] * gradient[c]);
                }
                assertThat(Math.abs(projected[j] - expected)).as("row %d of P g", j).isLessThan(1e-5 * scale);
            }
            double[] alpha = {2.0, -0.5, 0.25};
            float[] point = basis.combine(alpha, manager).toFloatArray();
            double error = 0;
            double norm = 0;
            for (int c = 0; c < D; c++) {
                double expected = alpha[0] * rows[0][c] + alpha[1] * rows[1][c] + alpha[2] * rows[2][c];
                error += (point[c] - expected) * (point[c] - expected);
                norm += expected * expected;
            }
            assertThat(Math.sqrt(error / norm)).as("P^T alpha").isLessThan(1e-5);
            assertThat(basis.bytes()).isBetween((long) (N * D * encoding.bytesPerEntry()), (long) (N * D * encoding.bytesPerEntry() * 1.01));
            double orthonormality = basis.orthonormalityError();
            assertThat(orthonormality).isLessThan(encoding == RowEncoding.INT4 ? 0.2 : 0.02);
        }
    }

    /**
     * Snapshots a few SGD steps apart, as {@code --snapshots-per-epoch 50} takes them: each adds
     * a relative residual of about 1e-5, far under the int8 rows' own error. Gram–Schmidt against
     * rows that are orthonormal only to their quantisation leaves such a residual leaning on them
     * (the error grows by |w| / residual each time), so the passes go on until it does not: the
     * rows stay orthonormal to their quantisation, or the snapshot is dropped.
     */
    @ParameterizedTest
    @EnumSource(value = RowEncoding.class, names = {"INT8", "INT4"})
    void nearlyDependentSnapshotsKeepTheRowsOrthonormal(RowEncoding encoding) {
        int count = 60;
        long columns = 40_000;
        try (NDManager manager = NDManager.newBaseManager();
                Basis basis = new Basis(manager, columns, count, Basis.DEFAULT_TOLERANCE, encoding, Collective.single())) {
            Engine.getInstance().setRandomSeed(11);
            NDArray w = manager.randomNormal(new Shape(columns));
            for (int i = 0; i < count; i++) {
                basis.add(i, w);
                w = w.add(manager.randomNormal(new Shape(columns)).mul(i < 10 ? 0.05 : 1e-5));
            }
            assertThat(basis.size()).isGreaterThan(10);
            assertThat(basis.orthonormalityError()).isLessThan(encoding == RowEncoding.INT4 ? 0.2 : 0.02);
        }
    }

    /** The decoded rows, column pieces of odd sizes decoded one at a time, in double. */
    private static double[][] decodedRows(Basis basis, NDManager manager) {
        double[][] rows = new double[N][(int) D];
        List<long[]> pieces = new ArrayList<>();
        for (long from = 0; from < D; from += 333_331) {
            pieces.add(new long[] {from, Math.min(D, from + 333_331)});
        }
        for (long[] piece : pieces) {
            try (NDManager scope = manager.newSubManager()) {
                float[] values = basis.columns(piece[0], piece[1], scope).toFloatArray();
                int width = (int) (piece[1] - piece[0]);
                for (int j = 0; j < N; j++) {
                    for (int c = 0; c < width; c++) {
                        rows[j][(int) piece[0] + c] = values[j * width + c];
                    }
                }
            }
        }
        return rows;
    }
}
