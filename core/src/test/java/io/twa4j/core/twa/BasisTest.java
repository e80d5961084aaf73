package io.twa4j.core.twa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BasisTest {

    private static final int D = 50_000;
    private static final int N = 16;

    /** Snapshots along a training-like path: a common point plus relative changes of size {@code relative}. */
    private static List<NDArray> nearlyCollinear(NDManager manager, double relative) {
        Engine.getInstance().setRandomSeed(42);
        NDArray base = manager.randomNormal(new Shape(D));
        List<NDArray> snapshots = new ArrayList<>();
        NDArray current = base;
        for (int i = 0; i < N; i++) {
            current = current.add(manager.randomNormal(new Shape(D)).mul((float) relative));
            snapshots.add(current);
        }
        return snapshots;
    }

    @Test
    void staysOrthonormalOnNearlyCollinearSnapshotsWhereClassicalGramSchmidtFails() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> snapshots = nearlyCollinear(manager, 1e-3);
            try (Basis basis = new Basis(manager, D, N, Basis.DEFAULT_TOLERANCE)) {
                for (int i = 0; i < N; i++) {
                    assertThat(basis.add(i, snapshots.get(i)).kept()).isTrue();
                }
                assertThat(basis.size()).isEqualTo(N);
                assertThat(basis.orthonormalityError()).isLessThanOrEqualTo(1e-5);
            }
            // the reference's classical Gram–Schmidt (one pass, projections of the original vector)
            NDArray classical = classicalGramSchmidt(manager, snapshots);
            NDArray gram = classical.matMul(classical.transpose());
            double classicalError = gram.sub(manager.eye(N)).abs().max().getFloat();
            assertThat(classicalError).as("classical Gram–Schmidt error").isGreaterThan(1e-3);
        }
    }

    private static NDArray classicalGramSchmidt(NDManager manager, List<NDArray> snapshots) {
        List<NDArray> rows = new ArrayList<>();
        for (NDArray w : snapshots) {
            NDArray v = w.duplicate();
            for (NDArray p : rows) {
                v = v.sub(p.mul(p.dot(w)));
            }
            rows.add(v.div(v.norm()));
        }
        return NDArrays.stack(new NDList(rows));
    }

    @Test
    void theSpanHoldsEverySnapshotAndTheWeightsReproduceAPoint() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> snapshots = nearlyCollinear(manager, 1e-2);
            try (Basis basis = new Basis(manager, D, N, Basis.DEFAULT_TOLERANCE)) {
                for (int i = 0; i < N; i++) {
                    basis.add(i, snapshots.get(i));
                }
                try (NDManager scope = manager.newSubManager()) {
                    // every snapshot is its own projection: Pᵀ(P w) = w
                    for (int i : new int[] {0, 7, N - 1}) {
                        NDArray w = snapshots.get(i);
                        NDArray back = basis.combine(basis.project(w, scope), scope);
                        assertThat(back.sub(w).norm().getFloat() / w.norm().getFloat()).isLessThan(1e-5f);
                        // and the recorded coordinates are P w
                        double[] recorded = basis.coordinatesOf(i);
                        float[] projected = basis.project(w, scope).toFloatArray();
                        for (int j = 0; j < N; j++) {
                            assertThat(recorded[j]).isCloseTo(projected[j], within(1e-3 * Math.abs(projected[0])));
                        }
                    }
                    // an arbitrary point of the span, as weights over the snapshots
                    double[] alpha = new double[N];
                    for (int j = 0; j < N; j++) {
                        alpha[j] = Math.sin(j + 1.0) * 10;
                    }
                    double[] weights = basis.snapshotWeights(alpha);
                    NDArray point = basis.combine(scope.create(toFloats(alpha)), scope);
                    NDArray sum = scope.zeros(new Shape(D));
                    for (int i = 0; i < N; i++) {
                        sum = sum.add(snapshots.get(i).mul((float) weights[i]));
                    }
                    assertThat(sum.sub(point).norm().getFloat() / point.norm().getFloat()).isLessThan(1e-4f);
                    // the mean's coordinates give the arithmetic mean, whose weights are all 1/N
                    double[] meanWeights = basis.snapshotWeights(basis.coordinatesOfMean());
                    for (double weight : meanWeights) {
                        assertThat(weight).isCloseTo(1.0 / N, within(1e-3));
                    }
                }
            }
        }
    }

    @Test
    void aSnapshotAlreadyInTheSpanIsDroppedAndNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> snapshots = nearlyCollinear(manager, 1e-2);
            try (Basis basis = new Basis(manager, D, 4, Basis.DEFAULT_TOLERANCE)) {
                basis.add(0, snapshots.get(0));
                basis.add(1, snapshots.get(1));
                NDArray combination = snapshots.get(0).mul(0.25f).add(snapshots.get(1).mul(0.75f));
                Basis.Added added = basis.add(2, combination);
                assertThat(added.kept()).isFalse();
                assertThat(added.relativeResidual()).isLessThan(Basis.DEFAULT_TOLERANCE);
                assertThat(basis.droppedSources()).containsExactly(2);
                assertThat(basis.rowSources()).containsExactly(0, 1);
                // its coordinates still count towards the mean: mean of w0, w1 and 0.25 w0 + 0.75 w1
                double[] weights = basis.snapshotWeights(basis.coordinatesOfMean());
                assertThat(weights[0]).isCloseTo((1 + 0.25) / 3, within(1e-3));
                assertThat(weights[1]).isCloseTo((1 + 0.75) / 3, within(1e-3));
                // by source: the kept rows' weights under their sources, the dropped one at 0, in the order added
                java.util.Map<Integer, Double> bySource = basis.weightsBySource(basis.coordinatesOfMean());
                assertThat(bySource.keySet()).containsExactly(0, 1, 2);
                assertThat(bySource.get(0)).isEqualTo(weights[0]);
                assertThat(bySource.get(1)).isEqualTo(weights[1]);
                assertThat(bySource.get(2)).isZero();
            }
        }
    }

    private static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    @Test
    void aHalfPrecisionBasisHalvesTheMemoryAndKeepsTheProjectionToHalfPrecision() {
        try (NDManager manager = NDManager.newBaseManager()) {
            List<NDArray> snapshots = nearlyCollinear(manager, 1e-2);
            try (Basis single = new Basis(manager, D, N, Basis.DEFAULT_TOLERANCE);
                    Basis half = new Basis(manager, D, N, Basis.DEFAULT_TOLERANCE, ai.djl.ndarray.types.DataType.FLOAT16)) {
                for (int i = 0; i < N; i++) {
                    single.add(i, snapshots.get(i));
                    half.add(i, snapshots.get(i));
                }
                assertThat(half.bytes()).isEqualTo(single.bytes() / 2);
                // float16 keeps 11 significant bits: orthonormal to ~1e-3, not to float32's 1e-7
                assertThat(half.orthonormalityError()).isBetween(1e-6, 5e-3);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray g = scope.randomNormal(new Shape(D));
                    float[] exact = single.project(g, scope).toFloatArray();
                    float[] rounded = half.project(g, scope).toFloatArray();
                    double scale = 0;
                    for (float value : exact) {
                        scale = Math.max(scale, Math.abs(value));
                    }
                    for (int j = 0; j < N; j++) {
                        assertThat((double) rounded[j]).isCloseTo(exact[j], within(2e-2 * scale));
                    }
                    // Pᵀα from the stored float16 rows equals the float32 product with those same rows
                    NDArray alpha = scope.randomNormal(new Shape(N));
                    NDArray expected = alpha.matMul(half.columns(0, D, scope));
                    NDArray halfPoint = half.combine(alpha, scope);
                    assertThat(halfPoint.getShape()).isEqualTo(new Shape(D));
                    assertThat(halfPoint.sub(expected).norm().getFloat() / expected.norm().getFloat()).isLessThan(1e-5f);
                }
            }
            assertThatThrownBy(() -> new Basis(manager, D, N, 1e-6, ai.djl.ndarray.types.DataType.BFLOAT16))
                    .hasMessageContaining("aborts");
        }
    }
}
