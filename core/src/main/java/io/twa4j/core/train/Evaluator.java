package io.twa4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;

/** Evaluates a block in inference mode (BatchNorm uses its running statistics, no dropout). */
public final class Evaluator {

    private final Block block;
    private final NDManager manager;

    /**
     * An evaluator for {@code block}, whose parameters live on {@code manager}'s device. Each
     * batch runs in a sub-manager of {@code manager} that is closed after it.
     */
    public Evaluator(Block block, NDManager manager) {
        this.block = block;
        this.manager = manager;
    }

    /** Loss and accuracy over one pass of {@code data} (its epoch 0 order). */
    public Evaluation evaluate(BatchSource data) {
        boolean topFive = data.numClasses() > 10;
        double lossSum = 0;
        long top1 = 0;
        long top5 = 0;
        long examples = 0;
        try (BatchSource.BatchIterator batches = data.epoch(0)) {
            while (batches.hasNext()) {
                HostBatch batch = batches.next();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray labels = batch.labels(scope);
                    NDArray logits = forward(block, scope, batch.features(scope), false);
                    BatchScore score = score(logits, labels, topFive);
                    lossSum += score.lossSum();
                    top1 += score.top1();
                    top5 += score.top5();
                    examples += batch.size();
                }
            }
        }
        if (examples == 0) {
            throw new IllegalArgumentException("cannot evaluate on an empty dataset");
        }
        return new Evaluation(
                lossSum / examples, (double) top1 / examples, topFive ? (double) top5 / examples : Double.NaN, examples);
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
