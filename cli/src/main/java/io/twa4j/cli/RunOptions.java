package io.twa4j.cli;

import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.EmaConfig;
import io.twa4j.run.config.ModelConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.config.SnapshotConfig;
import io.twa4j.run.config.SwaConfig;
import io.twa4j.run.config.Versions;
import io.twa4j.core.collective.Collective;
import io.twa4j.run.Console;
import io.twa4j.run.RunError;
import io.twa4j.run.WeightsSource;
import io.twa4j.run.train.TrainingJob;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every training command shares: model, snapshots, seed, device and run directory. */
final class RunOptions {

    @Option(names = "--model", paramLabel = "NAME",
            description = "Model (see `twa4j models`; default: cnn, or for finetune and soup the model of the run the weights"
                    + " come from).")
    String model;

    /** The model of {@code --model}, else of the run {@code source} comes from (a weights file or RUN:INDEX), else cnn. */
    String modelOr(String source) {
        return model != null ? model : source == null ? DEFAULT_MODEL : WeightsSource.modelOf(source).orElse(DEFAULT_MODEL);
    }

    /** The model without --model and without a run to take it from. */
    static final String DEFAULT_MODEL = "cnn";

    @Option(names = "--snapshots-per-epoch", paramLabel = "K", defaultValue = "1",
            description = "Snapshots per epoch, evenly spaced, the last at the epoch's end (default: ${DEFAULT-VALUE}).")
    int snapshotsPerEpoch;

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

    @Mixin
    LockOption lock;

    /**
     * With --resume, continues the run and returns true; otherwise false. {@code extra} names a
     * flag given that cannot be combined with --resume, or is null.
     */
    boolean resumeIfAsked(String extra, Console console, Collective collective) {
        if (!resume) {
            return false;
        }
        if (overwrite) {
            throw RunError.settings("--resume and --overwrite exclude each other: --resume continues the run, --overwrite replaces it");
        }
        if (extra != null) {
            throw RunError.settings("--resume cannot be combined with " + extra);
        }
        TrainingJob.resume(run, Devices.resolve(device), lock.mode(), console, collective);
        return true;
    }

    /**
     * The run's configuration from these flags, {@code data}'s and the command's: each group
     * checked by its record, a refused value reported with its flag ({@code renamed} maps keys
     * whose flag is not {@code --key}).
     */
    RunConfig config(String command, DataOptions data, OptimizerConfig optimizer, SwaConfig swa, EmaConfig ema) {
        return config(command, data, optimizer, swa, ema, null);
    }

    /** {@link #config}, the model taken from the run {@code weights} come from when --model is not given. */
    RunConfig config(String command, DataOptions data, OptimizerConfig optimizer, SwaConfig swa, EmaConfig ema, String weights) {
        DataConfig dataConfig = data.config();
        String modelName = modelOr(weights);
        return Check.flags(() -> new RunConfig(command, dataConfig, ModelConfig.forData(modelName, dataConfig), optimizer,
                new SnapshotConfig(snapshotsPerEpoch), seed, device, swa, ema, null, Versions.current()));
    }

    /** The request to train as these flags say, with {@code plan}. */
    TrainingJob.Request request(RunConfig config, io.twa4j.run.train.TrainingPlan plan) {
        return new TrainingJob.Request(config, run, Devices.resolve(device), overwrite, plan, lock.mode());
    }

    /** Flags of the optimiser keys of {@code swa} (which calls the learning rate --lr-init). */
    static final Map<String, String> SWA_FLAGS = Map.of("lr", "--lr-init", "swa.eval_freq", "--eval-freq");
}
