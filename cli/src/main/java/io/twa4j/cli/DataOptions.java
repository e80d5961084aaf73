package io.twa4j.cli;

import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.Settings;
import io.twa4j.vision.data.Datasets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The dataset options shared by the commands that train. */
final class DataOptions {

    @Option(names = "--data", paramLabel = "NAME", defaultValue = "fashion-mnist",
            description = "Dataset: fashion-mnist, mnist, cifar10, cifar100, synthetic, synthetic-hard, or imagefolder (--data-dir DIR holding"
                    + " train/<class>/*.jpg|png and val/<class>/*, as torchvision's ImageFolder) (default: ${DEFAULT-VALUE}).")
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
            description = "Random crop and flip of training images (default: on for CIFAR and imagefolder, off otherwise).")
    Boolean augment;

    @Option(names = "--val-ratio", paramLabel = "R",
            description = "Hold out this fraction of the training set (seeded, stratified by class): not trained on,"
                    + " evaluated every epoch (val_loss, val_acc), used by soups and `twa --train-on val`.")
    Double valRatio;

    @Option(names = "--val-limit", paramLabel = "N", description = "Hold out N training images (instead of --val-ratio).")
    Integer valLimit;

    @Option(names = "--image-size", paramLabel = "S",
            description = "imagefolder: side of the square images (RandomResizedCrop(S) for training, Resize(S*256/224) +"
                    + " CenterCrop(S) for evaluation; default: 224).")
    Integer imageSize;

    @Option(names = "--data-workers", paramLabel = "N",
            description = "imagefolder: threads decoding and transforming images (default: one per core).")
    Integer dataWorkers;

    @Option(names = "--skip-bad-images",
            description = "imagefolder: skip (and count) images that cannot be decoded instead of stopping with an error.")
    boolean skipBadImages;

    /** The data settings these flags give. */
    DataConfig config() {
        return Check.flags(() -> {
            String name = Settings.valid("data", () -> Datasets.canonicalName(data));
            boolean augmented = augment != null ? augment : DataConfig.augmentsByDefault(name);
            return new DataConfig(name, dataDir == null ? null : dataDir.toString(), trainLimit, testLimit, batchSize, evalBatchSize,
                    augmented, valRatio, valLimit, imageSize, dataWorkers, skipBadImages);
        });
    }
}
