package io.twa4j.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.average.BatchNormUpdate;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.Evaluator;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.vision.data.Dataset;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.data.ImageBatchSource;
import io.twa4j.vision.data.ImageSet;
import io.twa4j.vision.models.ModelZoo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's model and data, rebuilt from its {@link RunConfig}: the initialised block on its
 * device, the training and test batch sources, and the steps every method on a run shares
 * (evaluate; recompute BatchNorm statistics, then evaluate; write the weights). Closing it
 * releases the model's arrays.
 */
public final class Workspace implements AutoCloseable {

    private final RunConfig config;
    private final NDManager manager;
    private final Block block;
    private ImageSet trainSet;

    private Workspace(RunConfig config, NDManager manager, Block block) {
        this.config = config;
        this.manager = manager;
        this.block = block;
    }

    /** Builds the model of {@code config} on {@code device}, initialised from the run's seed. */
    public static Workspace open(RunConfig config, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Engine.getInstance().setRandomSeed((int) config.seed());
            Shape image = config.model().imageShape();
            Block block = ModelZoo.build(config.model().model(), config.model().classes(), (int) image.get(0));
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(image));
            return new Workspace(config, manager, block);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The configuration the model and data come from. */
    public RunConfig config() {
        return config;
    }

    /** The manager owning the model's arrays. */
    public NDManager manager() {
        return manager;
    }

    /** The model. */
    public Block block() {
        return block;
    }

    /** The shuffled (and, where configured, augmented) training batches at the run's batch size. */
    public BatchSource trainBatches() {
        return trainBatches(config.data().batchSize());
    }

    /** The shuffled (and, where configured, augmented) training batches of {@code batchSize}. */
    public BatchSource trainBatches(int batchSize) {
        if (trainSet == null) {
            trainSet = limit(dataset().load(config.data().directory(), true), config.data().trainLimit());
        }
        return batches(trainSet, batchSize, true);
    }

    /** The test batches, in file order, at the evaluation batch size. */
    public BatchSource testBatches() {
        ImageSet test = limit(dataset().load(config.data().directory(), false), config.data().testLimit());
        return batches(test, config.data().evalBatchSize(), false);
    }

    /** Loss and accuracy of the model as it is on {@code test}. */
    public Evaluation evaluate(BatchSource test) {
        return new Evaluator(block, manager).evaluate(test);
    }

    /**
     * Recomputes the BatchNorm statistics from one pass over {@code train} (reset, then an equal
     * weight for every example; SWA's {@code bn_update}), then evaluates on {@code test}.
     */
    public Evaluation updateBatchNormAndEvaluate(BatchSource train, BatchSource test) {
        BatchNormUpdate.run(block, manager, train);
        return evaluate(test);
    }

    /**
     * Writes every parameter of the model (BatchNorm statistics included) to {@code file}, with
     * the model's name and {@code metadata} in the header, atomically.
     */
    public FileDigest writeWeights(Path file, Map<String, String> metadata) {
        Map<String, String> header = new LinkedHashMap<>();
        header.put("model", config.model().model());
        header.putAll(metadata);
        return SafeTensors.write(file, ParameterLayout.all(block).arraysByName(), header);
    }

    /** Writes named tensors (a snapshot or weights file) into the model, checking names and shapes. */
    public void load(Map<String, NDArray> tensors, String source) {
        ParameterLayout all = ParameterLayout.all(block);
        Map<String, Shape> expected = all.shapesByName();
        tensors.keySet().stream().filter(name -> !expected.containsKey(name)).findFirst().ifPresent(name -> {
            throw RunError.input(source + " does not match model " + config.model().model()
                    + ": it has parameter " + name + " that the model lacks");
        });
        try {
            new FlatParameters(all).write(tensors);
        } catch (IllegalArgumentException e) {
            throw RunError.input(source + " does not match model " + config.model().model() + ": " + e.getMessage());
        }
    }

    private Dataset dataset() {
        return Datasets.byName(config.data().data());
    }

    private BatchSource batches(ImageSet set, int batchSize, boolean training) {
        DataConfig data = config.data();
        return ImageBatchSource.builder(set)
                .setBatchSize(batchSize)
                .optShuffle(training)
                .optAugment(training && data.augment())
                .optNormalization(dataset().normalization())
                .optSeed(config.seed())
                .build();
    }

    private static ImageSet limit(ImageSet set, Integer limit) {
        return limit == null ? set : set.limit(limit);
    }

    @Override
    public void close() {
        manager.close();
    }
}
