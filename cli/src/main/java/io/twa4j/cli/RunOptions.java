package io.twa4j.cli;

import io.twa4j.vision.data.Datasets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options every training command shares: model, snapshots, seed, device and run directory. */
final class RunOptions {

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "cnn",
            description = "Model (see `twa4j models`; default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--snapshots-per-epoch", paramLabel = "K", defaultValue = "1",
            description = "Snapshots per epoch, evenly spaced, the last at the epoch's end (default: ${DEFAULT-VALUE}).")
    int snapshotsPerEpoch;

    @Option(names = "--augment", negatable = true,
            description = "Random crop and flip of training images (default: on for CIFAR, off otherwise).")
    Boolean augment;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation, shuffling and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "Device (default: gpu when the engine sees one, else cpu).")
    String device;

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "Run directory to create.")
    Path run;

    @Option(names = "--overwrite", description = "Replace the run directory's contents if it is not empty.")
    boolean overwrite;

    @Option(names = "--resume",
            description = "Continue the run in --run from its last saved state (a kill loses at most the steps since the last snapshot);"
                    + " its run.json settings apply, other training flags are ignored.")
    boolean resume;

    /**
     * With --resume, continues the run and returns true; otherwise false. {@code extra} names a
     * flag given that cannot be combined with --resume, or is null.
     */
    boolean resumeIfAsked(String extra) {
        if (!resume) {
            return false;
        }
        if (overwrite) {
            throw UserError.usage("--resume and --overwrite exclude each other: --resume continues the run, --overwrite replaces it");
        }
        if (extra != null) {
            throw UserError.usage("--resume cannot be combined with " + extra);
        }
        TrainingJob.resume(run, Devices.resolve(device), System.out);
        return true;
    }

    /** The optimiser part of a run's configuration, as the command's flags give it. */
    record Optimiser(int epochs, double lr, double momentum, double wd, String schedule, double[] milestones) {}

    /**
     * Validates the shared flags and {@code optimiser}, and turns them into a run configuration
     * (the schedule itself is checked by the caller, which knows its flags).
     */
    RunConfig config(String command, DataOptions data, Optimiser optimiser, RunConfig.Swa swa, RunConfig.Ema ema) {
        data.validate();
        String modelName = Check.model(model);
        String dataset = Check.dataset(data.data);
        Check.positive("--epochs", optimiser.epochs());
        Check.fraction("--momentum", optimiser.momentum());
        Check.nonNegative("--wd", optimiser.wd());
        Check.positive("--snapshots-per-epoch", snapshotsPerEpoch);
        var imageShape = Datasets.imageShape(dataset);
        boolean augmentTrain = augment != null ? augment : dataset.startsWith("cifar");
        return new RunConfig(
                command,
                dataset,
                data.dataDir == null ? null : data.dataDir.toString(),
                data.trainLimit,
                data.testLimit,
                modelName,
                Datasets.numClasses(dataset),
                Arrays.stream(imageShape.getShape()).mapToObj(v -> (int) v).toList(),
                optimiser.epochs(),
                optimiser.lr(),
                optimiser.momentum(),
                optimiser.wd(),
                optimiser.schedule().toLowerCase(Locale.ROOT),
                Arrays.stream(optimiser.milestones()).boxed().toList(),
                data.batchSize,
                data.evalBatchSize,
                augmentTrain,
                snapshotsPerEpoch,
                seed,
                device == null ? null : device.toLowerCase(Locale.ROOT),
                swa,
                ema,
                TrainCommand.versions());
    }

    /** No milestones (schedules that have none). */
    static final double[] NO_MILESTONES = {};
}
