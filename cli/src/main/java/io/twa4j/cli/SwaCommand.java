package io.twa4j.cli;

import io.twa4j.core.schedule.Schedules;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.config.SwaConfig;
import io.twa4j.run.train.TrainingJob;
import io.twa4j.run.train.TrainingPlan;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;


/** {@code twa4j swa}: Stochastic Weight Averaging as its authors ran it, keeping every snapshot for TWA. */
@Command(name = "swa", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train with SGD and the SWA recipe, averaging the last epochs' weights.",
            "",
            "Learning rate: --lr-init until 50%% of --swa-start, linear down to",
            "--swa-lr by 90%%, then constant. After each epoch e >= --swa-start",
            "(every --swa-c-epochs), the weights join an equal average; every",
            "--eval-freq epochs and at the end it gets BatchNorm statistics from",
            "the training data and is evaluated (metrics phase \"swa\").",
            "Writes RUN/swa.safetensors (every parameter) and, as train does, a",
            "snapshot after every epoch: `twa4j twa --run RUN --params-start S",
            "--params-end E+1 --train-start E` then trains the weighting of the",
            "SWA-phase snapshots (TWA in the tail stage)."})
final class SwaCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "300", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr-init", paramLabel = "LR", defaultValue = "0.1", description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
    double lrInit;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--wd", defaultValue = "5e-4", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double wd;

    @Option(names = "--swa-start", paramLabel = "E",
            description = "First averaged epoch, from 1 (default: 161/300 of --epochs, rounded, as the reference's VGG16BN recipe;"
                    + " beyond --epochs: no averaging, plain SGD with the same schedule shape over the whole run).")
    Integer swaStart;

    @Option(names = "--swa-lr", paramLabel = "LR", defaultValue = "0.05",
            description = "Constant learning rate of the averaging phase (default: ${DEFAULT-VALUE}).")
    double swaLr;

    @Option(names = "--swa-c-epochs", paramLabel = "C", defaultValue = "1",
            description = "Average the weights every C epochs (default: ${DEFAULT-VALUE}).")
    int swaCEpochs;

    @Option(names = "--eval-freq", paramLabel = "F", defaultValue = "5",
            description = "Evaluate the average every F epochs and at the end (default: ${DEFAULT-VALUE}).")
    int evalFreq;

    @Mixin
    EmaOptions ema;

    @Mixin
    WorkerOptions workers;

    @Override
    public Integer call() {
        return workers.run((collective, console) -> {
            if (runOptions.resumeIfAsked(null, console, collective)) {
                return ExitCode.OK;
            }
            RunConfig config = config();
            if (config.swa().start() > config.epochs()) {
                console.out().printf(Locale.ROOT, "note: --swa-start %d is beyond --epochs %d: no averaging, plain SGD with the SWA schedule%n",
                        config.swa().start(), config.epochs());
            }
            TrainingJob.start(runOptions.request(config, TrainingPlan.trainOnly(config)), console, collective);
            return ExitCode.OK;
        });
    }

    /** Validates the flags and turns them into a run configuration. */
    RunConfig config() {
        int start = swaStart == null ? SwaConfig.referenceStart(epochs) : swaStart;
        OptimizerConfig optimizer = Check.flags(() -> new OptimizerConfig(epochs, lrInit, momentum, wd, Schedules.SWA, List.of()),
                RunOptions.SWA_FLAGS);
        SwaConfig swa = Check.flags(() -> new SwaConfig(start, swaLr, swaCEpochs, evalFreq), RunOptions.SWA_FLAGS);
        return runOptions.config("swa", data, optimizer, swa, ema.config());
    }
}
