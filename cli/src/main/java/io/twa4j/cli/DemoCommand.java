package io.twa4j.cli;

import ai.djl.Device;
import io.twa4j.core.train.TrainingListener;
import io.twa4j.run.Console;
import io.twa4j.run.RunLock;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.ModelConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.config.SnapshotConfig;
import io.twa4j.run.config.Versions;
import io.twa4j.run.train.TrainingJob;
import io.twa4j.run.train.TrainingPlan;
import io.twa4j.run.twa.SnapshotTwa;
import io.twa4j.run.twa.TwaResult;
import io.twa4j.run.twa.TwaSettings;
import io.twa4j.vision.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code twa4j demo}: TWA's headline in miniature. Regular training for the full budget against
 * the first half of the same run plus a few epochs of TWA on its snapshots.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The built-in job: full SGD budget vs its first half + TWA, side by side.",
            "",
            "Trains the small CNN on Fashion-MNIST (its first 30,000 training",
            "images, so that it takes about 3 minutes on 2 cores) for the full",
            "budget, runs TWA on the snapshots of its first half with the settings",
            "the headline sweep chose on held-out data (docs/results.md), and",
            "compares test accuracy and wall time. Where",
            "/usr/share/datasets/fashion-mnist is absent it says so and uses",
            "synthetic-hard: generated, overlapping classes, noisy pixels and 10%%",
            "random labels, so that the methods differ."})
final class DemoCommand implements Callable<Integer> {

    /** Snapshots per epoch of the demo's run. */
    private static final int PER_EPOCH = 1;

    /** Training images used of Fashion-MNIST's 60,000 unless --train-limit says otherwise. */
    private static final int FASHION_MNIST_IMAGES = 30_000;

    @Option(names = "--run", paramLabel = "DIR", defaultValue = "runs/demo",
            description = "Run directory, replaced if it exists (default: ${DEFAULT-VALUE}).")
    Path run;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "20",
            description = "Full training budget: SGD lr 0.1, x0.1 at 50%% and 75%% (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--twa-epochs", paramLabel = "T", defaultValue = "2",
            description = "TWA epochs after the first half (default: ${DEFAULT-VALUE}).")
    int twaEpochs;

    @Option(names = "--twa-lr", paramLabel = "LR", defaultValue = "0.25",
            description = "TWA learning rate, x0.1 at 50%% and 75%% of the TWA epochs (default: ${DEFAULT-VALUE}, the sweep's choice).")
    double twaLr;

    @Option(names = "--baseline", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Also evaluate the equal average of the first half's snapshots (a BN pass and an evaluation more)"
                    + " (default: off).")
    boolean baseline;

    @Option(names = "--train-limit", paramLabel = "N",
            description = "Use only the first N training examples (default: 30000 of Fashion-MNIST, all of synthetic-hard).")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test examples.")
    Integer testLimit;

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "Device (default: gpu when the engine sees one, else cpu).")
    String device;

    @Mixin
    LockOption lock;

    @Override
    public Integer call() {
        if (epochs < 2) {
            throw io.twa4j.run.RunError.settings("--epochs must be at least 2 (TWA uses the first half), got " + epochs);
        }
        Device chosen = Devices.resolve(device);
        Console console = ProgressBars.console();
        RunConfig config = config();
        // one lock over both jobs, so that nothing writes the run between them
        RunLock.Mode inner = lock.noLock ? RunLock.Mode.NONE : RunLock.Mode.HELD;
        try (RunLock held = lock.noLock ? null : RunLock.acquire(run, "twa4j demo")) {
            return both(config, chosen, console, inner);
        }
    }

    /** The full run, then TWA on its first half, each holding the run's lock as {@code lock} says. */
    private int both(RunConfig config, Device chosen, Console console, RunLock.Mode lock) {
        System.out.printf(Locale.ROOT, "== 1. regular training, full budget: %d epochs ==%n", epochs);
        TrainingJob.Outcome sgd = TrainingJob.start(new TrainingJob.Request(config, run, chosen, true, TrainingPlan.trainOnly(config), lock),
                console);

        int half = epochs / 2;
        int end = half * PER_EPOCH + 1;
        System.out.printf(Locale.ROOT, "%n== 2. TWA on the first half: snapshots [0, %d) = epochs 0..%d, %d TWA epochs ==%n",
                end, half, twaEpochs);
        TwaSettings settings = Check.flags(() -> TwaSettings.reference(0, end, config.data().batchSize())
                .withEpochs(twaEpochs, "step").withLr(twaLr).named("first-half").withBaseline(baseline), TwaOptions.AFTER_FLAGS);
        TwaResult result = SnapshotTwa.run(run, new SnapshotTwa.Request(settings, chosen, true, false, lock), console);
        printTable(sgd.epochs(), half, result);
        return ExitCode.OK;
    }

    /**
     * The headline sweep's full run in miniature: the small CNN on 30,000 Fashion-MNIST images
     * (synthetic-hard where it is absent), SGD lr 0.1, momentum 0.9, wd 1e-4, one snapshot per epoch.
     */
    private RunConfig config() {
        boolean real = Files.isDirectory(Datasets.byName(Datasets.FASHION_MNIST).defaultDir());
        if (!real) {
            System.out.println("Fashion-MNIST is not installed: this demo runs on SYNTHETIC data (synthetic-hard: generated"
                    + " images of 10 overlapping classes with 10% random labels). For the real thing: apt-get install"
                    + " dataset-fashion-mnist");
        }
        String data = real ? Datasets.FASHION_MNIST : Datasets.SYNTHETIC_HARD;
        return Check.flags(() -> {
            Integer images = trainLimit != null || !real ? trainLimit : FASHION_MNIST_IMAGES;
            DataConfig dataConfig = DataConfig.of(data).limit(images, testLimit);
            return new RunConfig("demo", dataConfig, ModelConfig.forData("cnn", data), OptimizerConfig.reference(epochs, 0.1),
                    new SnapshotConfig(PER_EPOCH), 1, device, null, null, null, Versions.current());
        });
    }

    private void printTable(List<TrainingListener.EpochEvent> epochsRun, int half, TwaResult result) {
        double halfSeconds = epochsRun.subList(0, half).stream().mapToDouble(TrainingListener.EpochEvent::seconds).sum();
        double fullSeconds = epochsRun.stream().mapToDouble(TrainingListener.EpochEvent::seconds).sum();
        System.out.printf(Locale.ROOT, "%n%-40s %10s %10s %10s%n", "", "epochs", "test acc", "seconds");
        row("SGD, full budget", String.valueOf(epochs), epochsRun.get(epochs - 1).test().top1(), fullSeconds);
        row("SGD, first half", String.valueOf(half), epochsRun.get(half - 1).test().top1(), halfSeconds);
        if (result.average() != null) {
            row("first half, average of snapshots + BN", String.valueOf(half), result.average().top1(), halfSeconds);
        }
        row("first half + TWA", half + "+" + twaEpochs, result.twa().top1(), halfSeconds + result.seconds());
        double gap = 100 * (result.twa().top1() - epochsRun.get(epochs - 1).test().top1());
        System.out.printf(Locale.ROOT, "%nfirst half + TWA: %+.2f points against the full run (%s), in %.0f%% of the full run's time%n",
                gap, gap >= 0 ? "matches or beats it" : "falls short", 100 * (halfSeconds + result.seconds()) / fullSeconds);
        System.out.printf(Locale.ROOT, "results in %s, snapshots in %s%n", result.directory(), run.resolve("snapshots"));
    }

    private static void row(String name, String epochs, double accuracy, double seconds) {
        System.out.printf(Locale.ROOT, "%-40s %10s %10.4f %10.1f%n", name, epochs, accuracy, seconds);
    }
}
