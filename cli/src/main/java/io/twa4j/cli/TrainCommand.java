package io.twa4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.twa4j.core.schedule.Schedules;
import java.util.LinkedHashMap;
import java.util.Map;
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
final class TrainCommand implements Callable<Integer> {

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

    @Mixin
    EmaOptions ema;

    @Mixin
    TwaAfterOptions twaAfter;

    @Override
    public Integer call() {
        if (runOptions.resumeIfAsked(twaAfter.after == null ? null : "--twa-after (its basis is kept in memory only)")) {
            return ExitCode.OK;
        }
        RunConfig config = config("train");
        TrainingJob.Plan plan = plan(config);
        Device chosen = Devices.resolve(runOptions.device);
        TrainingJob.run(config, chosen, runOptions.run, runOptions.overwrite, plan, System.out);
        return ExitCode.OK;
    }

    /** Regular training over the whole budget, or, with --twa-after E, E epochs and then TWA. */
    TrainingJob.Plan plan(RunConfig config) {
        if (twaAfter.after == null) {
            return TrainingJob.Plan.trainOnly(config);
        }
        int after = twaAfter.after;
        if (after < 1 || after > config.epochs()) {
            throw UserError.usage("--twa-after must be between 1 and --epochs (" + config.epochs() + "), got " + after);
        }
        int snapshots = after * config.snapshotsPerEpoch() + 1;
        TwaOptions options = twaAfter.asTwaOptions();
        if (options.name == null) {
            options.name = "p0-" + snapshots;
        }
        return new TrainingJob.Plan(after, twaAfter.keepSnapshots, options.validate("--twa-", 0, snapshots, 1, config.batchSize()));
    }

    /** Validates the flags and turns them into a run configuration. */
    RunConfig config(String command) {
        Check.positive("--lr", lr);
        Check.usage(() -> Schedules.byName(schedule, lr, epochs, milestones));
        Check.usage(() -> Schedules.milestones(epochs, milestones));
        RunOptions.Optimiser optimiser = new RunOptions.Optimiser(epochs, lr, momentum, wd, schedule, milestones);
        return runOptions.config(command, data, optimiser, null, ema.config());
    }

    static Map<String, String> versions() {
        Map<String, String> versions = new LinkedHashMap<>();
        String own = TrainCommand.class.getPackage().getImplementationVersion();
        versions.put("twa4j", own == null ? "dev" : own);
        versions.put("djl", Engine.getDjlVersion());
        versions.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        versions.put("java", System.getProperty("java.version"));
        return versions;
    }
}
