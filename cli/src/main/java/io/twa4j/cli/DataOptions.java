package io.twa4j.cli;

import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.Settings;
import io.twa4j.vision.data.Dataset;
import io.twa4j.vision.data.Datasets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The dataset options shared by the commands that train. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "NAME", defaultValue = "fashion-mnist",
            description = "Dataset: fashion-mnist, mnist, cifar10, cifar100, synthetic (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Directory holding the dataset's files (default: the dataset's usual place,"
                    + " /usr/share/datasets/fashion-mnist for Fashion-MNIST).")
    Path dataDir;

    @Option(names = "--train-limit", paramLabel = "N", description = "Use only the first N training examples.")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test examples.")
    Integer testLimit;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
            description = "Training batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--eval-batch-size", paramLabel = "N", defaultValue = "250",
            description = "Evaluation batch size (default: ${DEFAULT-VALUE}).")
    int evalBatchSize;

    @Option(names = "--augment", negatable = true,
            description = "Random crop and flip of training images (default: on for CIFAR, off otherwise).")
    Boolean augment;

    @Option(names = "--val-ratio", paramLabel = "R",
            description = "Hold out this fraction of the training set (seeded, stratified by class): not trained on,"
                    + " evaluated every epoch (val_loss, val_acc), used by soups and `twa --train-on val`.")
    Double valRatio;

    @Option(names = "--val-limit", paramLabel = "N", description = "Hold out N training images (instead of --val-ratio).")
    Integer valLimit;

    /** The data settings these flags give. */
    DataConfig config() {
        return Check.flags(() -> {
            Dataset dataset = Settings.valid("data", () -> Datasets.byName(data));
            boolean augmented = augment != null ? augment : dataset.augmentByDefault();
            return new DataConfig(dataset.name(), dataDir == null ? null : dataDir.toString(), trainLimit, testLimit, batchSize, evalBatchSize,
                    augmented, valRatio, valLimit);
        });
    }
}
