package io.twa4j.core.average;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Pair;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.parallel.Shard;
import io.twa4j.core.parallel.Sums;
import io.twa4j.core.data.HostBatch;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * Recomputes the BatchNorm running statistics of a model from data, as SWA's {@code bn_update}
 * and PyTorch's {@code update_bn} do: running statistics are not parameters, so after averaging
 * weights or training in a subspace they no longer describe the network's activations.
 *
 * <p>One pass over the data in train mode; each BatchNorm's running mean and variance become the
 * batch-size-weighted average of the per-batch mean and (unbiased, as PyTorch) variance. The
 * previous statistics do not matter. Gradients are not recorded and trainable parameters are not
 * changed.
 */
public final class BatchNormUpdate {

    private static final NDIndex ALL = new NDIndex("...");

    private BatchNormUpdate() {}

    /** The running statistics of one BatchNorm layer and the weight it gives a new batch. */
    private record Layer(NDArray mean, NDArray variance, float batchWeight) {}

    /** One batch of model inputs with its size, and a scope for the temporaries of its step. */
    @FunctionalInterface
    private interface BatchStep {
        void accept(NDList inputs, int size, NDManager scope);
    }

    /** Hands each batch of a pass over the data to a {@link BatchStep}. */
    @FunctionalInterface
    private interface Pass {
        void forEach(BatchStep step);
    }

    /**
     * Recomputes the running statistics of every BatchNorm in {@code block} (whose parameters are
     * on {@code manager}'s device) over one pass of {@code data}. Returns the number of layers
     * updated (0 when the model has no BatchNorm, in which case no data is read).
     */
    public static int run(Block block, NDManager manager, BatchSource data) {
        return run(block, manager, data, Collective.single());
    }

    /**
     * The same pass shared among the ranks of {@code collective}: rank r runs the whole batches of
     * its {@link Shard}, and the batch-size-weighted sums and the example count are summed over
     * the ranks, so every rank ends with the statistics one process computes over all the batches
     * (to float rounding).
     */
    public static int run(Block block, NDManager manager, BatchSource data, Collective collective) {
        Shard shard = Shard.of(collective);
        return run(block, manager, step -> {
            try (BatchSource.BatchIterator batches = data.epoch(0)) {
                for (long index = 0; batches.hasNext(); index++) {
                    HostBatch batch = batches.next();
                    if (!shard.owns(index)) {
                        continue;
                    }
                    try (NDManager scope = manager.newSubManager()) {
                        step.accept(new NDList(batch.features(scope)), batch.size(), scope);
                    }
                }
            }
        }, collective);
    }

    /**
     * The same for DJL batches, e.g. {@code trainer.iterateDataset(trainSet)} or
     * {@code dataset.getData(manager)}: each batch's data is the model's input; batches are
     * closed after use.
     *
     * <pre>{@code
     * try (AveragedModel.Swap swapped = swa.swapIn()) {
     *     BatchNormUpdate.run(model.getBlock(), model.getNDManager(), trainSet.getData(model.getNDManager()));
     *     ... evaluate ...
     * }
     * }</pre>
     */
    public static int run(Block block, NDManager manager, Iterable<Batch> batches) {
        return run(block, manager, step -> {
            for (Batch batch : batches) {
                try (batch; NDManager scope = manager.newSubManager()) {
                    step.accept(batch.getData(), batch.getSize(), scope);
                }
            }
        }, Collective.single());
    }

    private static int run(Block block, NDManager manager, Pass pass, Collective collective) {
        List<Layer> layers = new ArrayList<>();
        collect(block, layers);
        if (layers.isEmpty()) {
            return 0;
        }
        try (NDManager sums = manager.newSubManager()) {
            List<NDArray[]> totals = new ArrayList<>();
            for (Layer layer : layers) {
                totals.add(new NDArray[] {sums.zeros(layer.mean().getShape()), sums.zeros(layer.variance().getShape())});
            }
            long[] examples = {0};
            pass.forEach((inputs, size, scope) -> {
                for (Layer layer : layers) {
                    layer.mean().set(ALL, scope.zeros(layer.mean().getShape()));
                    layer.variance().set(ALL, scope.zeros(layer.variance().getShape()));
                }
                // from zero, one train-mode step leaves (1 − momentum) × the batch's statistics
                block.forward(new ParameterStore(scope, false), inputs, true);
                for (int i = 0; i < layers.size(); i++) {
                    Layer layer = layers.get(i);
                    NDArray weight = scope.create(size / layer.batchWeight());
                    totals.get(i)[0].addi(weight.mul(layer.mean()));
                    totals.get(i)[1].addi(weight.mul(layer.variance()));
                }
                examples[0] += size;
            });
            if (collective.size() > 1) {
                examples[0] = sumOverRanks(totals, examples[0], collective, sums);
            }
            if (examples[0] == 0) {
                throw new IllegalArgumentException("BatchNorm update needs data; the set is empty");
            }
            for (int i = 0; i < layers.size(); i++) {
                NDArray scale = sums.create(1f / examples[0]);
                layers.get(i).mean().set(ALL, scale.mul(totals.get(i)[0]));
                layers.get(i).variance().set(ALL, scale.mul(totals.get(i)[1]));
            }
        }
        return layers.size();
    }

    /** Sums the layers' totals (in place) and the example count over the ranks; returns the count. */
    private static long sumOverRanks(List<NDArray[]> totals, long examples, Collective collective, NDManager scope) {
        NDList pieces = new NDList();
        totals.forEach(pair -> pieces.addAll(List.of(pair[0].reshape(-1), pair[1].reshape(-1))));
        float[] flat = NDArrays.concat(pieces).toFloatArray();
        collective.allReduceSum(flat);
        int offset = 0;
        for (NDArray[] pair : totals) {
            for (NDArray total : pair) {
                int size = (int) total.size();
                float[] part = java.util.Arrays.copyOfRange(flat, offset, offset + size);
                total.set(ALL, scope.create(part, total.getShape()));
                offset += size;
            }
        }
        return Math.round(Sums.overRanks(collective, new double[] {examples})[0]);
    }

    private static void collect(Block block, List<Layer> layers) {
        if (block instanceof BatchNorm batchNorm) {
            layers.add(new Layer(
                    batchNorm.getParameters().get("runningMean").getArray(),
                    batchNorm.getParameters().get("runningVar").getArray(),
                    1f - momentum(batchNorm)));
        }
        for (Pair<String, Block> child : block.getChildren()) {
            collect(child.getValue(), layers);
        }
    }

    /** DJL keeps a BatchNorm's momentum private; it is needed to undo the running-average step. */
    private static float momentum(BatchNorm batchNorm) {
        try {
            Field field = BatchNorm.class.getDeclaredField("momentum");
            field.setAccessible(true);
            return field.getFloat(batchNorm);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read the momentum of a DJL BatchNorm (DJL " + Engine.getDjlVersion()
                    + " changed it?): " + e.getMessage(), e);
        }
    }
}
