package io.twa4j.core.train;

import ai.djl.ndarray.NDArray;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.parallel.Replicas;
import io.twa4j.core.parallel.Shard;
import io.twa4j.core.parallel.Sums;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;

/**
 * Evaluates a block in inference mode (BatchNorm uses its running statistics, no dropout).
 *
 * <p>In a data-parallel run every rank first takes rank 0's BatchNorm statistics ({@link
 * Replicas#copyFromLeader}), then evaluates the whole batches of its {@link Shard}; the sums
 * (loss, top-1, top-5, examples) are added over the ranks, so every rank returns rank 0's model's
 * evaluation over the whole set.
 */
public final class Evaluator {

    private final Block block;
    private final NDManager manager;
    private final Collective collective;

    /**
     * An evaluator for {@code block}, whose parameters live on {@code manager}'s device. Each
     * batch runs in a sub-manager of {@code manager} that is closed after it.
     */
    public Evaluator(Block block, NDManager manager) {
        this(block, manager, Collective.single());
    }

    /** An evaluator that shares each pass among the ranks of {@code collective}. */
    public Evaluator(Block block, NDManager manager, Collective collective) {
        this.block = block;
        this.manager = manager;
        this.collective = collective;
    }

    /** Loss and accuracy over one pass of {@code data} (its epoch 0 order). */
    public Evaluation evaluate(BatchSource data) {
        boolean topFive = data.numClasses() > 10;
        Shard shard = Shard.of(collective);
        if (shard.split()) {
            try (NDManager scope = manager.newSubManager()) {
                Replicas.copyFromLeader(collective, new FlatParameters(ParameterLayout.buffers(block)), scope);
            }
        }
        double[] sums = new double[4]; // loss, top-1, top-5, examples
        try (BatchSource.BatchIterator batches = data.epoch(0)) {
            for (long index = 0; batches.hasNext(); index++) {
                HostBatch batch = batches.next();
                if (!shard.owns(index)) {
                    continue;
                }
                try (NDManager scope = manager.newSubManager()) {
                    NDArray labels = batch.labels(scope);
                    NDArray logits = forward(block, scope, batch.features(scope), false);
                    BatchScore score = score(logits, labels, topFive);
                    sums[0] += score.lossSum();
                    sums[1] += score.top1();
                    sums[2] += score.top5();
                    sums[3] += batch.size();
                }
            }
        }
        if (shard.split()) {
            sums = Sums.overRanks(collective, sums);
        }
        double examples = sums[3];
        if (examples == 0) {
            throw new IllegalArgumentException("cannot evaluate on an empty dataset");
        }
        return new Evaluation(sums[0] / examples, sums[1] / examples, topFive ? sums[2] / examples : Double.NaN,
                Math.round(examples));
    }

    /** Runs {@code block} on {@code input}; the logits belong to {@code scope}. */
    static NDArray forward(Block block, NDManager scope, NDArray input, boolean training) {
        NDArray logits = block.forward(new ParameterStore(scope, false), new NDList(input), training)
                .singletonOrThrow();
        logits.attach(scope);
        return logits;
    }

    /** Per-example cross-entropy of logits (N, K) against int64 labels (N). */
    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return crossEntropy(logits, labels, 0);
    }

    /**
     * The per-example cross-entropy with label smoothing ε (PyTorch's {@code label_smoothing}):
     * {@code (1 − ε)·(−log p_y) + ε·mean_c(−log p_c)}; ε = 0 is the plain cross-entropy.
     */
    static NDArray crossEntropy(NDArray logits, NDArray labels, double smoothing) {
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray picked = logProbabilities.gather(labels.reshape(-1, 1), 1).reshape(-1).neg();
        if (smoothing == 0) {
            return picked;
        }
        return picked.mul((float) (1 - smoothing)).add(logProbabilities.mean(new int[] {1}).neg().mul((float) smoothing));
    }

    /**
     * Sums for one batch.
     *
     * @param lossSum summed (not mean) cross-entropy
     * @param top1 correct at top 1
     * @param top5 correct at top 5 (0 unless asked)
     */
    record BatchScore(double lossSum, long top1, long top5) {}

    static BatchScore score(NDArray logits, NDArray labels, boolean topFive) {
        double lossSum = crossEntropy(logits, labels).sum().getFloat();
        NDArray rank = labelRank(logits, labels);
        long top1 = rank.eq(0).sum().toType(DataType.INT64, false).getLong();
        long top5 = topFive ? rank.lt(5).sum().toType(DataType.INT64, false).getLong() : 0;
        return new BatchScore(lossSum, top1, top5);
    }

    /** How many examples of the batch have their label as the top-scoring class. */
    static long correct(NDArray logits, NDArray labels) {
        return labelRank(logits, labels).eq(0).sum().toType(DataType.INT64, false).getLong();
    }

    /** Per example, how many classes score strictly higher than the label. */
    private static NDArray labelRank(NDArray logits, NDArray labels) {
        NDArray labelScore = logits.gather(labels.reshape(-1, 1), 1);
        return logits.gt(labelScore).toType(DataType.INT32, false).sum(new int[] {1});
    }
}
