package io.twa4j.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.twa4j.core.average.BatchNormUpdate;
import io.twa4j.core.collective.Collective;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.parallel.EngineThreads;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.params.FlatParameters;
import io.twa4j.core.params.ParameterLayout;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.train.Evaluation;
import io.twa4j.core.train.Evaluator;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.interop.WeightNaming;
import io.twa4j.vision.data.Dataset;
import io.twa4j.vision.data.Datasets;
import io.twa4j.vision.data.HeldOutSplit;
import io.twa4j.vision.data.LabelledImages;
import io.twa4j.vision.data.Normalization;
import io.twa4j.vision.data.folder.FolderImages;
import io.twa4j.vision.data.folder.ImageFolder;
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

    /**
     * The seed of every held-out split: fixed, not the run's seed, so that runs on the same data with
     * the same ratio (the ingredients of a soup, trained with different seeds) hold out the same images.
     */
    public static final long HELD_OUT_SEED = 20221103L;

    private final RunConfig config;
    private final NDManager manager;
    private final Block block;
    private final Collective collective;
    private HeldOutSplit<?> split;
    private WeightNaming naming;
    private LabelledImages<?> testSet;

    private Workspace(RunConfig config, NDManager manager, Block block, Collective collective) {
        this.config = config;
        this.manager = manager;
        this.block = block;
        this.collective = collective;
    }

    /** Builds the model of {@code config} on {@code device}, initialised from the run's seed. */
    public static Workspace open(RunConfig config, Device device) {
        return open(config, device, Collective.single());
    }

    /**
     * The same for one rank of a multi-worker run: evaluations and BatchNorm updates are shared
     * among the ranks of {@code collective}, and the methods run on it train data-parallel.
     */
    public static Workspace open(RunConfig config, Device device, Collective collective) {
        synchronized (INITIALISING) {
            return build(config, device, collective);
        }
    }

    /**
     * Held while a model is seeded and initialised: the engine's random generator is one per JVM,
     * so ranks of a run in one JVM (threads) must not seed and draw at once.
     */
    private static final Object INITIALISING = new Object();

    private static Workspace build(RunConfig config, Device device, Collective collective) {
        // the job may run on any thread (a Spark task's, a rank's): give it the engine's thread settings
        EngineThreads.prepare();
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Engine.getInstance().setRandomSeed((int) config.seed());
            Shape image = config.model().imageShape();
            Block block = ModelZoo.build(config.model().model(), config.model().classes(), (int) image.get(0));
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(image));
            return new Workspace(config, manager, block, collective);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The workers this workspace's computations are shared among ({@link Collective#single()} for one process). */
    public Collective collective() {
        return collective;
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

    /**
     * The shuffled (and, where configured, augmented) training batches of {@code batchSize}: the
     * training set without its held-out part.
     */
    public BatchSource trainBatches(int batchSize) {
        return batches(split().train(), batchSize, true);
    }

    /** Whether the run holds out part of its training set. */
    public boolean holdsOut() {
        return config.data().holdsOut();
    }

    /**
     * The held-out images in order, at the evaluation batch size.
     *
     * @throws RunError (settings) if the run holds out nothing
     */
    public BatchSource heldOutBatches() {
        return batches(heldOut(), config.data().evalBatchSize(), false);
    }

    /**
     * The held-out images as shuffled (and, where configured, augmented) training batches of
     * {@code batchSize}: for methods that learn on held-out data (TWA-v, learned soups).
     *
     * @throws RunError (settings) if the run holds out nothing
     */
    public BatchSource heldOutTrainingBatches(int batchSize) {
        return batches(heldOut(), batchSize, true);
    }

    /** The model's evaluation on the held-out images, or null when the run holds out none. */
    public java.util.function.Supplier<Evaluation> heldOutEvaluation() {
        if (!holdsOut()) {
            return null;
        }
        BatchSource heldOut = heldOutBatches();
        return () -> evaluate(heldOut);
    }

    /**
     * The held-out images themselves (the same for every run on the same data, limit and ratio).
     *
     * @throws RunError (settings) if the run holds out nothing
     */
    public LabelledImages<?> heldOutImages() {
        return heldOut();
    }

    private LabelledImages<?> heldOut() {
        if (!holdsOut()) {
            throw RunError.settings("the run holds out no training images; train it with --val-ratio or --val-limit");
        }
        return split().heldOut();
    }

    /** The training set cut into its training and held-out parts (loaded once). */
    private HeldOutSplit<?> split() {
        if (split == null) {
            split = config.data().isImageFolder() ? splitOf(folder(true)) : splitOf(dataset().load(config.data().directory(), true));
        }
        return split;
    }

    private <T extends LabelledImages<T>> HeldOutSplit<T> splitOf(T loaded) {
        T all = limit(loaded, config.data().trainLimit());
        int count = config.data().heldOutCount(all.size());
        if (!holdsOut()) {
            return new HeldOutSplit<>(all, all.limit(0));
        }
        if (count < 1 || count >= all.size()) {
            throw RunError.settings("--val-ratio/--val-limit would hold out " + count + " of the " + all.size()
                    + " training images; at least 1 must be held out and some left for training");
        }
        return HeldOutSplit.of(all, count, HELD_OUT_SEED);
    }

    /**
     * A split of the run's image folder: {@code train/}, else {@code val/} (the test split).
     *
     * @throws RunError (input) if the folder's classes are not as many as the model's
     */
    private FolderImages folder(boolean train) {
        DataConfig data = config.data();
        ImageFolder folder = ImageFolder.open(data.directory());
        if (folder.numClasses() != config.model().classes()) {
            throw RunError.input(data.directory().resolve(ImageFolder.TRAIN) + ": " + folder.numClasses() + " classes, but the run's"
                    + " model has " + config.model().classes());
        }
        String name = Datasets.IMAGEFOLDER + (train ? "/train" : "/test");
        return folder.images(train, name, data.folderOptions());
    }

    /** The test batches, in file order, at the evaluation batch size (the images are read once). */
    public BatchSource testBatches() {
        if (testSet == null) {
            testSet = config.data().isImageFolder()
                    ? limit(folder(false), config.data().testLimit())
                    : limit(dataset().load(config.data().directory(), false), config.data().testLimit());
        }
        return batches(testSet, config.data().evalBatchSize(), false);
    }

    /** Loss and accuracy of the model as it is on {@code test}. */
    public Evaluation evaluate(BatchSource test) {
        return new Evaluator(block, manager, collective).evaluate(test);
    }

    /**
     * Recomputes the BatchNorm statistics from one pass over {@code train} (reset, then an equal
     * weight for every example; SWA's {@code bn_update}), then evaluates on {@code test}.
     */
    public Evaluation updateBatchNormAndEvaluate(BatchSource train, BatchSource test) {
        BatchNormUpdate.run(block, manager, train, collective);
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

    /**
     * The translation between twa4j's names of the model's parameters and those of its PyTorch
     * reference: every read of weights into the model goes through its {@link WeightNaming#toModel}.
     */
    public WeightNaming naming() {
        if (naming == null) {
            naming = WeightNaming.of(config.model().model(), block);
        }
        return naming;
    }

    /**
     * Writes named tensors (a snapshot or weights file, in twa4j's or PyTorch's naming, see {@link
     * WeightNaming#toModel}) into the model, checking names, shapes and types.
     *
     * @throws RunError (input) "SOURCE does not match model M: ..." naming the offending key
     */
    public void load(Map<String, NDArray> tensors, String source) {
        load(tensors, Map.of(), source);
    }

    private void load(Map<String, NDArray> tensors, Map<String, NDArray> fixed, String source) {
        String mismatch = source + " does not match model " + config.model().model() + ": ";
        new FlatParameters(ParameterLayout.all(block)).write(naming().toModel(tensors, fixed, mismatch));
    }

    /**
     * Writes the weights the configuration starts from ({@link io.twa4j.run.config.InitConfig})
     * into the model; with a new head, the classifier (the last trainable weight and bias) keeps
     * its fresh initialisation. Nothing to do without one.
     *
     * @throws RunError (input) if the weights cannot be read or do not fit the model
     */
    public void loadInitialWeights() {
        io.twa4j.run.config.InitConfig init = config.init();
        if (init == null) {
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> tensors = WeightsSource.read(init.from(), "--from", scope);
            Map<String, NDArray> fresh = new LinkedHashMap<>();
            if (init.newHead()) {
                java.util.List<ParameterLayout.Entry> trainable = ParameterLayout.trainable(block).entries();
                for (ParameterLayout.Entry head : trainable.subList(Math.max(0, trainable.size() - 2), trainable.size())) {
                    fresh.put(head.name(), head.array()); // the fresh initialisation
                }
            }
            try {
                load(tensors, fresh, init.from());
            } catch (RunError e) {
                throw init.newHead() ? e : RunError.input(e.getMessage() + " (another number of classes? add --new-head)");
            }
        }
    }

    private Dataset dataset() {
        return Datasets.byName(config.data().data());
    }

    private BatchSource batches(LabelledImages<?> set, int batchSize, boolean training) {
        DataConfig data = config.data();
        Normalization normalization = data.isImageFolder() ? Normalization.IMAGENET : dataset().normalization();
        return set.batches(new LabelledImages.BatchOptions(batchSize, training, data.augment(), normalization, config.seed()));
    }

    private static <T extends LabelledImages<T>> T limit(T set, Integer limit) {
        return limit == null ? set : set.limit(limit);
    }

    @Override
    public void close() {
        manager.close();
    }
}
