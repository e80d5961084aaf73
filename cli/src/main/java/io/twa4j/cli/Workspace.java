package io.twa4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.data.ImageBatchSource;
import io.twa4j.vision.data.ImageSet;
import io.twa4j.vision.data.Normalization;
import io.twa4j.vision.models.ModelZoo;
import java.nio.file.Path;
import java.util.Map;

/**
 * A run's model and data, rebuilt from its {@link RunConfig}: the initialised block on its
 * device, and the training and test batch sources. Closing it releases the model's arrays.
 */
final class Workspace implements AutoCloseable {

    private final RunConfig config;
    private final NDManager manager;
    private final Block block;
    private ImageSet trainSet;

    private Workspace(RunConfig config, NDManager manager, Block block) {
        this.config = config;
        this.manager = manager;
        this.block = block;
    }

    /**
     * Builds the model of {@code config} on {@code device}, initialised from the run's seed.
     *
     * @throws UserError (usage) if the model cannot take the dataset's images (VGG on 28x28)
     */
    static Workspace open(RunConfig config, Device device) {
        Shape image = new Shape(config.inputShape().stream().mapToLong(Integer::longValue).toArray());
        try {
            ModelZoo.checkInputShape(config.model(), image);
        } catch (IllegalArgumentException e) {
            throw UserError.usage("--model " + config.model() + " does not fit --data " + config.data() + ": " + e.getMessage());
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Engine.getInstance().setRandomSeed((int) config.seed());
            Block block = ModelZoo.build(config.model(), config.classes(), config.inputShape().get(0));
            Shape input = new Shape(1, config.inputShape().get(0), config.inputShape().get(1), config.inputShape().get(2));
            block.initialize(manager, DataType.FLOAT32, input);
            return new Workspace(config, manager, block);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    RunConfig config() {
        return config;
    }

    NDManager manager() {
        return manager;
    }

    Block block() {
        return block;
    }

    /** The shuffled (and, where configured, augmented) training batches at the run's batch size. */
    BatchSource trainBatches() {
        return trainBatches(config.batchSize());
    }

    /** The shuffled (and, where configured, augmented) training batches. */
    BatchSource trainBatches(int batchSize) {
        if (trainSet == null) {
            trainSet = limit(Datasets.load(config.data(), dataDir(), true), config.trainLimit());
        }
        return batches(trainSet, batchSize, true);
    }

    /** The test batches, in file order, at the evaluation batch size. */
    BatchSource testBatches() {
        ImageSet test = limit(Datasets.load(config.data(), dataDir(), false), config.testLimit());
        return batches(test, config.evalBatchSize(), false);
    }

    /** Writes named tensors (a snapshot or weights file) into the model, checking names and shapes. */
    void load(Map<String, NDArray> tensors, String source) {
        ParameterLayout all = ParameterLayout.all(block);
        Map<String, Shape> expected = all.shapesByName();
        tensors.keySet().stream().filter(name -> !expected.containsKey(name)).findFirst().ifPresent(name -> {
            throw UserError.badInput(source + " does not match model " + config.model()
                    + ": it has parameter " + name + " that the model lacks");
        });
        try {
            new FlatParameters(all).write(tensors);
        } catch (IllegalArgumentException e) {
            throw UserError.badInput(source + " does not match model " + config.model() + ": " + e.getMessage());
        }
    }

    private BatchSource batches(ImageSet set, int batchSize, boolean training) {
        return ImageBatchSource.builder(set)
                .setBatchSize(batchSize)
                .optShuffle(training)
                .optAugment(training && config.augment())
                .optNormalization(Normalization.forDataset(config.data()))
                .optSeed(config.seed())
                .build();
    }

    private Path dataDir() {
        return config.dataDir() == null ? null : Path.of(config.dataDir());
    }

    private static ImageSet limit(ImageSet set, Integer limit) {
        return limit == null ? set : set.limit(limit);
    }

    @Override
    public void close() {
        manager.close();
    }
}
