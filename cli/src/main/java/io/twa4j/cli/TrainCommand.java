package io.twa4j.cli;

import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingJob;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code twa4j train}: regular SGD training that keeps a history of snapshots. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model with SGD, keeping a history of snapshots.",
            "",
            "RUN/snapshots/000000.safetensors is the initialisation, then one per epoch",
            "(or --snapshots-per-epoch K), with RUN/run.json and RUN/metrics.jsonl.",
            "With --twa-after E, goes straight into TWA after E epochs."})
class TrainCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.1", description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--wd", defaultValue = "1e-4", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double wd;

    @Option(names = "--schedule", defaultValue = "step",
            description = "Learning-rate schedule: step (x0.1 at the milestones), constant, linear (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--milestones", split = ",", paramLabel = "F", defaultValue = "0.5,0.75",
            description = "Step-schedule milestones as fractions of the epochs (default: ${DEFAULT-VALUE}).")
    double[] milestones;

    @Option(names = "--label-smoothing", paramLabel = "E", defaultValue = "0",
            description = "Label smoothing of the training loss, as PyTorch's label_smoothing (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Mixin
    EmaOptions ema;

    @Mixin
    TwaAfterOptions twaAfter;

    @Mixin
    WorkerOptions workers;

    @Override
    public Integer call() {
        return workers.run((collective, console) -> {
            if (runOptions.resumeIfAsked(twaAfter.after == null ? null : "--twa-after (its basis is kept in memory only)", console,
                    collective)) {
                return ExitCode.OK;
            }
            RunConfig config = config(command());
            TrainingJob.start(runOptions.request(config, twaAfter.plan(config)), console, collective);
            return ExitCode.OK;
        });
    }

    /** The weights the run starts from (their run's model is the default model), or null for a fresh initialisation. */
    String weightsSource() {
        return null;
    }

    /** The name recorded in run.json. */
    String command() {
        return "train";
    }

    /** Validates the flags and turns them into a run configuration made by {@code command}. */
    RunConfig config(String command) {
        OptimizerConfig optimizer = Check.flags(() -> new OptimizerConfig(epochs, lr, momentum, wd, schedule,
                Arrays.stream(milestones).boxed().toList(), labelSmoothing));
        return runOptions.config(command, data, optimizer, null, ema.config(), weightsSource());
    }
}
