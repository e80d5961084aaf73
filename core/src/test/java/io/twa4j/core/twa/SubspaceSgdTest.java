package io.twa4j.core.twa;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import io.twa4j.core.ArrayBatchSource;
import io.twa4j.core.TestBlocks;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.LrSchedule;
import io.twa4j.core.train.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubspaceSgdTest {

    static final int SNAPSHOTS = 6;
    static final double MOMENTUM = 0.9;
    static final double WD = 1e-3;
    /** 20 steps in one epoch, with a tenfold learning-rate drop after step 10. */
    static final LrSchedule SCHEDULE = (epoch, step, steps) -> step < 10 ? 0.5 : 0.05;

    /** A model with BatchNorm, initialised from {@code seed}, and a history of SGD snapshots of it. */
    record Setup(NDManager manager, SequentialBlock block, FlatParameters flat, List<NDArray> snapshots) {}

    static Setup setup(NDManager manager, ArrayBatchSource data) {
        Engine.getInstance().setRandomSeed(9);
        SequentialBlock block = TestBlocks.mlpWithBatchNorm(manager, new Shape(1, 10), 12, 3);
        FlatParameters flat = new FlatParameters(ParameterLayout.trainable(block));
        List<NDArray> snapshots = new ArrayList<>();
        snapshots.add(flat.read(manager));
        try (SgdUpdate sgd = new SgdUpdate(flat.layout(), 0.9, 1e-4)) {
            for (int epoch = 0; epoch < SNAPSHOTS - 1; epoch++) {
                loop(block, manager, sgd, (e, s, n) -> 0.05).run(data, null, epoch, epoch + 1);
                snapshots.add(flat.read(manager));
            }
        }
        return new Setup(manager, block, flat, snapshots);
    }

    static TrainingLoop loop(SequentialBlock block, NDManager manager, UpdateRule rule, LrSchedule schedule) {
        return TrainingLoop.builder().setBlock(block).setManager(manager).setUpdateRule(rule).setSchedule(schedule).build();
    }

    private static Basis basisOf(Setup setup) {
        return basisOf(setup, RowEncoding.F32);
    }

    private static Basis basisOf(Setup setup, RowEncoding encoding) {
        Basis basis = new Basis(setup.manager(), setup.flat().size(), SNAPSHOTS, Basis.DEFAULT_TOLERANCE, encoding,
                io.twa4j.core.collective.Collective.single());
        for (int i = 0; i < setup.snapshots().size(); i++) {
            basis.add(i, setup.snapshots().get(i));
        }
        return basis;
    }

    /** The reference: project the full gradient, g ← Pᵀ(P g), then PyTorch's SGD on w. */
    private static final class ProjectedSgd implements UpdateRule {
        private final Basis basis;
        private final FlatParameters flat;
        private final SgdUpdate sgd;

        ProjectedSgd(Basis basis, FlatParameters flat) {
            this.basis = basis;
            this.flat = flat;
            this.sgd = new SgdUpdate(flat.layout(), MOMENTUM, WD);
        }

        @Override
        public void step(double lr, NDManager scope) {
            NDArray projected = basis.combine(basis.project(flat.readGradient(scope), scope), scope);
            for (ParameterLayout.Entry entry : flat.layout().entries()) {
                NDArray gradient = entry.array().getGradient();
                gradient.attach(scope);
                NDArray part = projected.get(entry.offset() + ":" + (entry.offset() + entry.size())).reshape(entry.shape());
                gradient.set(new NDIndex("..."), part);
            }
            sgd.step(lr, scope);
        }
    }

    @Test
    void coefficientFormEqualsProjectedFullSpaceSgdOnAModelWithBatchNorm() {
        ArrayBatchSource data = ArrayBatchSource.blobs(20 * 16, 10, 3, 16, 4);
        float[] coefficientForm;
        float[] fullSpace;
        float[] start;
        try (NDManager manager = NDManager.newBaseManager()) {
            Setup setup = setup(manager, data);
            try (Basis basis = basisOf(setup)) {
                SubspaceSgd subspace = new SubspaceSgd(basis, setup.flat(), MOMENTUM, WD, basis.coordinatesOfMean());
                start = setup.flat().read(manager).toFloatArray();
                loop(setup.block(), manager, subspace, SCHEDULE).run(data, null, 7, 8);
                coefficientForm = setup.flat().read(manager).toFloatArray();
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Setup setup = setup(manager, data);
            try (Basis basis = basisOf(setup)) {
                NDArray mean = basis.combine(manager.create(toFloats(basis.coordinatesOfMean())), manager);
                setup.flat().write(mean);
                loop(setup.block(), manager, new ProjectedSgd(basis, setup.flat()), SCHEDULE).run(data, null, 7, 8);
                fullSpace = setup.flat().read(manager).toFloatArray();
            }
        }
        double moved = distance(coefficientForm, start);
        assertThat(moved).as("the run moved").isGreaterThan(1e-2 * norm(start));
        assertThat(distance(coefficientForm, fullSpace) / norm(fullSpace)).isLessThan(1e-4);
    }

    @Test
    void startsAtTheArithmeticMeanAndStaysInTheSpan() {
        ArrayBatchSource data = ArrayBatchSource.blobs(20 * 16, 10, 3, 16, 4);
        try (NDManager manager = NDManager.newBaseManager()) {
            Setup setup = setup(manager, data);
            try (Basis basis = basisOf(setup)) {
                SubspaceSgd subspace = new SubspaceSgd(basis, setup.flat(), MOMENTUM, WD, basis.coordinatesOfMean());
                float[] mean = new float[(int) setup.flat().size()];
                for (NDArray snapshot : setup.snapshots()) {
                    float[] values = snapshot.toFloatArray();
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] += values[i] / SNAPSHOTS;
                    }
                }
                float[] start = setup.flat().read(manager).toFloatArray();
                assertThat(distance(start, mean) / norm(mean)).isLessThan(1e-5);

                loop(setup.block(), manager, subspace, SCHEDULE).run(data, null, 7, 8);
                try (NDManager scope = manager.newSubManager()) {
                    NDArray w = setup.flat().read(scope);
                    NDArray projected = basis.combine(basis.project(w, scope), scope);
                    assertThat(projected.sub(w).norm().getFloat() / w.norm().getFloat()).isLessThan(1e-5f);
                    // and the parameters are exactly Pᵀα for the optimiser's coefficients
                    NDArray fromAlpha = basis.combine(scope.create(toFloats(subspace.coefficients())), scope);
                    assertThat(fromAlpha.sub(w).norm().getFloat() / w.norm().getFloat()).isLessThan(1e-6f);
                }
            }
        }
    }

    /**
     * The coefficients' SGD written with the basis's engine-array products ({@code P g} of the
     * concatenated gradient, {@code Pᵀα} written whole): what {@link SubspaceSgd} does with int8
     * rows through views of the gradients' and the parameters' memory.
     */
    private static final class EngineArraySubspaceSgd implements UpdateRule {
        private final Basis basis;
        private final FlatParameters flat;
        private final double[] alpha;
        private double[] buffer;

        EngineArraySubspaceSgd(Basis basis, FlatParameters flat, double[] start) {
            this.basis = basis;
            this.flat = flat;
            this.alpha = start.clone();
        }

        @Override
        public void step(double lr, NDManager scope) {
            float[] projected = basis.project(flat.readGradient(scope), scope).toFloatArray();
            boolean first = buffer == null;
            buffer = first ? new double[alpha.length] : buffer;
            for (int j = 0; j < alpha.length; j++) {
                double direction = projected[j] + WD * alpha[j];
                buffer[j] = first ? direction : MOMENTUM * buffer[j] + direction;
                alpha[j] -= lr * buffer[j];
            }
            flat.write(basis.combine(alpha, scope));
        }
    }

    /**
     * Int8 rows live on the heap, and a step reads the gradient and writes the point through views
     * of the engine's memory, a group of columns at a time: the run equals the same rule on the engine's arrays (the gradient concatenated,
     * {@code P g} and {@code Pᵀα} as engine arrays), parameter for parameter, to float rounding.
     */
    @Test
    void int8RowsOnTheHeapStepLikeTheEngineArrays() {
        ArrayBatchSource data = ArrayBatchSource.blobs(20 * 16, 10, 3, 16, 4);
        float[] heap;
        float[] engine;
        float[] start;
        try (NDManager manager = NDManager.newBaseManager()) {
            Setup setup = setup(manager, data);
            try (Basis basis = basisOf(setup, RowEncoding.INT8)) {
                assertThat(basis.onHeap()).isTrue();
                SubspaceSgd subspace = new SubspaceSgd(basis, setup.flat(), MOMENTUM, WD, basis.coordinatesOfMean());
                start = setup.flat().read(manager).toFloatArray();
                loop(setup.block(), manager, subspace, SCHEDULE).run(data, null, 7, 8);
                heap = setup.flat().read(manager).toFloatArray();
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Setup setup = setup(manager, data);
            try (Basis basis = basisOf(setup, RowEncoding.INT8)) {
                setup.flat().write(basis.combine(basis.coordinatesOfMean(), manager));
                loop(setup.block(), manager, new EngineArraySubspaceSgd(basis, setup.flat(), basis.coordinatesOfMean()), SCHEDULE)
                        .run(data, null, 7, 8);
                engine = setup.flat().read(manager).toFloatArray();
            }
        }
        assertThat(distance(heap, start)).as("the run moved").isGreaterThan(1e-2 * norm(start));
        assertThat(distance(heap, engine) / norm(engine)).isLessThan(1e-5);
    }

    private static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }

    static double norm(float[] a) {
        return distance(a, new float[a.length]);
    }
}
