package io.twa4j.core.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.twa4j.core.ArrayBatchSource;
import io.twa4j.core.average.BatchNormUpdate;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.Evaluator;
import io.twa4j.core.TestBlocks;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.optim.SgdUpdate;
import io.twa4j.core.optim.UpdateRule;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.schedule.LrSchedule;
import io.twa4j.core.train.TrainingLoop;
import io.twa4j.core.twa.Basis;
import io.twa4j.core.twa.SubspaceSgd;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Data-parallel training on ranks of one JVM against one process on the same global batches: the
 * same SGD, the same TWA coefficients; deliberate bugs in the exchange are caught.
 */
@Timeout(300)
class DataParallelTest {

    private static final Shape INPUT = new Shape(1, 10);
    /** 317 examples in batches of 16: 20 steps an epoch, the last of 13 rows (uneven shards). */
    private static final int EXAMPLES = 317;
    private static final int BATCH = 16;
    /** Two epochs with a learning-rate drop within the first. */
    private static final LrSchedule SCHEDULE = (epoch, step, steps) -> epoch == 0 && step < 10 ? 0.2 : 0.05;
    private static final double MOMENTUM = 0.9;
    private static final double WD = 1e-3;

    private final List<NDManager> managers = new ArrayList<>();

    @AfterEach
    void close() {
        managers.forEach(NDManager::close);
    }

    private static ArrayBatchSource data() {
        return ArrayBatchSource.blobs(EXAMPLES, 10, 3, BATCH, 4);
    }

    /** A model built in the test thread (the engine's seed is global), from initialisation {@code seed}. */
    private SequentialBlock model(long seed, boolean batchNorm) {
        NDManager manager = NDManager.newBaseManager();
        managers.add(manager);
        Engine.getInstance().setRandomSeed((int) seed);
        return batchNorm ? TestBlocks.mlpWithBatchNorm(manager, INPUT, 12, 3) : TestBlocks.mlp(manager, INPUT, 12, 3);
    }

    private static FlatParameters trainable(Block block) {
        return new FlatParameters(ParameterLayout.trainable(block));
    }

    private static float[] train(Block block, UpdateRule rule, Collective collective) {
        NDManager manager = managerOf(block);
        TrainingLoop.builder().setBlock(block).setManager(manager).setUpdateRule(rule).setSchedule(SCHEDULE)
                .optCollective(collective).build().run(data(), null, 0, 2);
        return trainable(block).read(manager).toFloatArray();
    }

    private static NDManager managerOf(Block block) {
        return ParameterLayout.all(block).entries().get(0).array().getManager();
    }

    /** How rank r's update rule is made from its SGD (the correct one all-reduces the gradient). */
    private interface Exchange extends BiFunction<SgdUpdate, Collective, UpdateRule> {}

    private static final Exchange CORRECT = (sgd, collective) -> new AllReducedGradients(
            new FlatParameters(sgd.layout()), collective, sgd);

    /** The final weights of one process and of each of {@code ranks} ranks (rank r from another initialisation). */
    private List<float[]> oneProcessThenRanks(int ranks, boolean batchNorm, Exchange exchange) throws Exception {
        List<float[]> results = new ArrayList<>();
        SequentialBlock single = model(11, batchNorm);
        try (SgdUpdate sgd = new SgdUpdate(ParameterLayout.trainable(single), MOMENTUM, WD)) {
            results.add(train(single, sgd, Collective.single()));
        }
        List<SequentialBlock> replicas = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            replicas.add(model(11 + 100L * r, batchNorm)); // rank 0 has the one process's initialisation
        }
        results.addAll(ThreadRanks.run(ranks, collective -> {
            Block block = replicas.get(collective.rank());
            try (SgdUpdate sgd = new SgdUpdate(ParameterLayout.trainable(block), MOMENTUM, WD)) {
                return train(block, exchange.apply(sgd, collective), collective);
            }
        }));
        return results;
    }

    @Test
    void twoAndThreeRanksTrainAsOneProcessOnTheSameGlobalBatches() throws Exception {
        for (int ranks : new int[] {2, 3}) {
            List<float[]> weights = oneProcessThenRanks(ranks, false, CORRECT);
            float[] single = weights.get(0);
            assertThat(relativeDistance(single, initialWeights())).as("the run moved").isGreaterThan(0.05);
            for (int r = 0; r < ranks; r++) {
                assertThat(relativeDistance(weights.get(1 + r), single)).as("rank %d of %d against one process", r, ranks)
                        .isLessThan(1e-5);
                assertThat(weights.get(1 + r)).as("rank %d equals rank 0 bit for bit", r).isEqualTo(weights.get(1));
            }
        }
    }

    @Test
    void averagingTheSummedGradientAgainIsCaught() throws Exception {
        Exchange averagedTwice = (sgd, collective) -> new AllReducedGradients(new FlatParameters(sgd.layout()), collective,
                scaled(sgd, 1.0 / collective.size()));
        List<float[]> weights = oneProcessThenRanks(2, false, averagedTwice);
        assertThat(relativeDistance(weights.get(1), weights.get(0))).isGreaterThan(1e-3);
    }

    @Test
    void aRankThatSkipsItsShardIsCaught() throws Exception {
        Exchange skipping = (sgd, collective) -> {
            UpdateRule exchanged = CORRECT.apply(sgd, collective);
            FlatParameters flat = new FlatParameters(sgd.layout());
            return collective.rank() == 1 ? (lr, scope) -> {
                flat.zeroGradients();
                exchanged.step(lr, scope);
            } : exchanged;
        };
        List<float[]> weights = oneProcessThenRanks(2, false, skipping);
        assertThat(relativeDistance(weights.get(1), weights.get(0))).isGreaterThan(1e-3);
    }

    @Test
    void withBatchNormTheRanksAgreeAndTheGapToOneProcessIsMeasured() throws Exception {
        List<float[]> weights = oneProcessThenRanks(2, true, CORRECT);
        assertThat(weights.get(2)).isEqualTo(weights.get(1));
        double gap = relativeDistance(weights.get(1), weights.get(0));
        // batch statistics over 8 rows instead of 16 change the forward pass: not equal, but close
        System.out.printf("data-parallel with BatchNorm (2 ranks, per-rank batch statistics): |w2 - w1| / |w1| = %.2e%n", gap);
        assertThat(gap).isGreaterThan(1e-6).isLessThan(0.5);
    }

    @Test
    void twoRankTwaGivesTheCoefficientsOfOneProcessWithAWholeOrASplitBasis() throws Exception {
        SequentialBlock history = model(11, false);
        FlatParameters flat = trainable(history);
        NDManager manager = managerOf(history);
        List<NDArray> snapshots = new ArrayList<>();
        snapshots.add(flat.read(manager));
        try (SgdUpdate sgd = new SgdUpdate(flat.layout(), MOMENTUM, WD)) {
            for (int epoch = 0; epoch < 4; epoch++) {
                TrainingLoop.builder().setBlock(history).setManager(manager).setUpdateRule(sgd).setSchedule((e, s, n) -> 0.05)
                        .build().run(data(), null, epoch, epoch + 1);
                snapshots.add(flat.read(manager));
            }
        }
        double[] single = twa(model(12, false), snapshots, Collective.single(), false);
        for (boolean sharded : new boolean[] {false, true}) {
            List<SequentialBlock> replicas = List.of(model(13, false), model(14, false));
            List<double[]> ranks = ThreadRanks.run(2, collective -> twa(replicas.get(collective.rank()), snapshots, collective, sharded));
            double scale = norm(single);
            for (double[] coefficients : ranks) {
                for (int j = 0; j < single.length; j++) {
                    assertThat(Math.abs(coefficients[j] - single[j]) / scale).as("coefficient %d (sharded basis: %s)", j, sharded)
                            .isLessThan(1e-5);
                }
            }
            assertThat(ranks.get(1)).isEqualTo(ranks.get(0));
        }
    }

    @Test
    void aBasisSplitByColumnsHoldsHalfOnEachRankAndActsAsTheWholeOne() throws Exception {
        NDManager manager = NDManager.newBaseManager();
        managers.add(manager);
        int dimension = 1001;
        List<NDArray> snapshots = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        float[] base = new float[dimension];
        for (int i = 0; i < 6; i++) {
            for (int d = 0; d < dimension; d++) {
                base[d] += (float) (random.nextDouble() - 0.5) * (i == 0 ? 1 : 0.01f); // nearly collinear, as a run's snapshots
            }
            snapshots.add(manager.create(base.clone()));
        }
        NDArray probe = manager.randomNormal(new Shape(dimension));
        double[] alpha = {0.5, -1, 2, 0.25, 1, -0.5};
        try (Basis whole = new Basis(manager, dimension, 6, Basis.DEFAULT_TOLERANCE)) {
            for (int i = 0; i < snapshots.size(); i++) {
                whole.add(i, snapshots.get(i));
            }
            float[] projected = whole.project(probe, manager).toFloatArray();
            float[] combined = whole.combine(alpha, manager).toFloatArray();
            double[] mean = whole.coordinatesOfMean();
            List<Object[]> ranks = ThreadRanks.run(2, collective -> {
                try (NDManager scope = manager.newSubManager();
                        Basis split = new Basis(scope, dimension, 6, Basis.DEFAULT_TOLERANCE, DataType.FLOAT32, collective)) {
                    for (int i = 0; i < snapshots.size(); i++) {
                        split.add(i, snapshots.get(i));
                    }
                    return new Object[] {split.project(probe, scope).toFloatArray(), split.combine(alpha, scope).toFloatArray(),
                        split.coordinatesOfMean(), split.orthonormalityError(), split.bytes()};
                }
            });
            for (Object[] rank : ranks) {
                assertThat(relativeDistance((float[]) rank[0], projected)).as("P w").isLessThan(1e-5);
                assertThat(relativeDistance((float[]) rank[1], combined)).as("P^T alpha").isLessThan(1e-5);
                assertThat((double[]) rank[2]).as("the mean's coordinates").containsExactly(mean, Offset.offset(1e-9 * norm(mean)));
                assertThat((double) rank[3]).as("orthonormality").isLessThan(1e-6);
                assertThat((long) rank[4]).as("bytes on a rank").isBetween(whole.bytes() / 2 - 24, whole.bytes() / 2 + 24);
            }
            assertThat((float[]) ranks.get(1)[1]).isEqualTo((float[]) ranks.get(0)[1]);
        }
    }

    @Test
    void theSharedBatchNormUpdateEqualsOneProcessPassAndTheSharedEvaluationIsRankZerosModel() throws Exception {
        List<SequentialBlock> blocks = List.of(model(21, true), model(21, true), model(22, true));
        float[] trained = trainable(blocks.get(0)).read(managerOf(blocks.get(0))).toFloatArray();
        for (Block block : blocks) {
            trainable(block).write(managerOf(block).create(trained)); // the same weights everywhere
        }
        BatchNormUpdate.run(blocks.get(0), managerOf(blocks.get(0)), data());
        float[] single = buffers(blocks.get(0));
        Evaluation oneProcess = new Evaluator(blocks.get(0), managerOf(blocks.get(0))).evaluate(data());
        List<SequentialBlock> ranks = blocks.subList(1, 3);
        List<float[]> statistics = ThreadRanks.run(2, collective -> {
            Block block = ranks.get(collective.rank());
            BatchNormUpdate.run(block, managerOf(block), data(), collective);
            return buffers(block);
        });
        assertThat(relativeDistance(statistics.get(0), single)).isLessThan(1e-6);
        assertThat(statistics.get(1)).isEqualTo(statistics.get(0));

        // rank 1's statistics made wrong: the shared evaluation still evaluates rank 0's model
        new FlatParameters(ParameterLayout.buffers(ranks.get(1))).write(managerOf(ranks.get(1)).ones(new Shape(single.length)));
        List<Evaluation> evaluations = ThreadRanks.run(2, collective -> {
            Block block = ranks.get(collective.rank());
            return new Evaluator(block, managerOf(block), collective).evaluate(data());
        });
        for (Evaluation evaluation : evaluations) {
            assertThat(evaluation.examples()).isEqualTo(EXAMPLES);
            assertThat(evaluation.top1()).isEqualTo(oneProcess.top1());
            assertThat(evaluation.loss()).isCloseTo(oneProcess.loss(), Offset.offset(1e-6));
        }
    }

    @Test
    void aStopAskedOfOneRankStopsEveryRankAfterTheSameStep() throws Exception {
        List<SequentialBlock> replicas = List.of(model(31, false), model(32, false));
        List<String> stops = ThreadRanks.run(2, collective -> {
            Block block = replicas.get(collective.rank());
            int[] steps = {0};
            try (SgdUpdate sgd = new SgdUpdate(ParameterLayout.trainable(block), MOMENTUM, WD)) {
                TrainingLoop.builder().setBlock(block).setManager(managerOf(block)).setUpdateRule(CORRECT.apply(sgd, collective))
                        .setSchedule(SCHEDULE).optCollective(collective)
                        .optStopRequest(() -> collective.rank() == 1 && ++steps[0] > 5).build().run(data(), null, 0, 2);
                return "not stopped";
            } catch (io.twa4j.core.train.TrainingStoppedException e) {
                return e.getMessage();
            }
        });
        assertThat(stops.get(0)).isEqualTo(stops.get(1)).contains("step 6");
    }

    private static float[] buffers(Block block) {
        return new FlatParameters(ParameterLayout.buffers(block)).read(managerOf(block)).toFloatArray();
    }

    /** TWA's coefficients after two epochs on {@code block}, from the mean of {@code snapshots}. */
    private static double[] twa(Block block, List<NDArray> snapshots, Collective collective, boolean sharded) {
        NDManager manager = managerOf(block);
        FlatParameters flat = trainable(block);
        try (Basis basis = new Basis(manager, flat.size(), snapshots.size(), Basis.DEFAULT_TOLERANCE, DataType.FLOAT32,
                sharded ? collective : Collective.single())) {
            for (int i = 0; i < snapshots.size(); i++) {
                basis.add(i, snapshots.get(i));
            }
            SubspaceSgd sgd = new SubspaceSgd(basis, flat, new SubspaceSgd.Hyperparameters(MOMENTUM, 1e-5),
                    basis.coordinatesOfMean(), collective);
            TrainingLoop.builder().setBlock(block).setManager(manager).setUpdateRule(sgd).setSchedule(SCHEDULE)
                    .optCollective(collective).build().run(data(), null, 0, 2);
            return sgd.coefficients();
        }
    }

    /** {@code inner} applied to the gradients scaled by {@code factor}. */
    private static UpdateRule scaled(SgdUpdate inner, double factor) {
        FlatParameters flat = new FlatParameters(inner.layout());
        return (lr, scope) -> {
            flat.writeGradient(flat.readGradient(scope).mul((float) factor));
            inner.step(lr, scope);
        };
    }

    private float[] initialWeights() {
        SequentialBlock fresh = model(11, false);
        return trainable(fresh).read(managerOf(fresh)).toFloatArray();
    }

    static double relativeDistance(float[] a, float[] b) {
        double difference = 0;
        double size = 0;
        for (int i = 0; i < a.length; i++) {
            difference += (double) (a[i] - b[i]) * (a[i] - b[i]);
            size += (double) b[i] * b[i];
        }
        return Math.sqrt(difference / size);
    }

    private static double norm(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value * value;
        }
        return Math.sqrt(sum);
    }
}
