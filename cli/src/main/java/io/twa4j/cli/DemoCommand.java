package io.twa4j.cli;

import io.twa4j.core.train.TrainingListener;
import io.twa4j.vision.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code twa4j demo}: TWA's headline in miniature. Regular training for the full budget against
 * the first half of the same run plus a few epochs of TWA on its snapshots.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The built-in job: full SGD budget vs its first half + TWA, side by side.",
            "",
            "Trains the small CNN on Fashion-MNIST (synthetic data where",
            "/usr/share/datasets/fashion-mnist is absent) for the full budget,",
            "runs TWA on the snapshots of its first half, and compares test",
            "accuracy and wall time."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", defaultValue = "runs/demo",
            description = "Run directory, replaced if it exists (default: ${DEFAULT-VALUE}).")
    Path run;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "6", description = "Full training budget (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--twa-epochs", paramLabel = "T", defaultValue = "1",
            description = "TWA epochs after the first half, learning rate 2 decaying linearly to 0 (default: ${DEFAULT-VALUE}).")
    int twaEpochs;

    @Option(names = "--train-limit", paramLabel = "N", description = "Use only the first N training examples.")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test examples.")
    Integer testLimit;

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "Device (default: gpu when the engine sees one, else cpu).")
    String device;

    @Override
    public Integer call() {
        Check.positive("--epochs", epochs);
        if (epochs < 2) {
            throw UserError.usage("--epochs must be at least 2 (TWA uses the first half), got " + epochs);
        }
        boolean real = Files.isDirectory(Datasets.defaultDir(Datasets.FASHION_MNIST));
        String data = real ? Datasets.FASHION_MNIST : Datasets.SYNTHETIC;
        if (!real) {
            System.out.println("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); using synthetic data");
        }
        int perEpoch = 2;
        int half = epochs / 2;
        TrainCommand train = new TrainCommand();
        List<String> trainArgs = new java.util.ArrayList<>(List.of("--data", data, "--model", "cnn",
                "--epochs", String.valueOf(epochs), "--lr", "0.05", "--snapshots-per-epoch", String.valueOf(perEpoch),
                "--run", run.toString(), "--overwrite"));
        if (trainLimit != null) {
            trainArgs.addAll(List.of("--train-limit", String.valueOf(trainLimit)));
        }
        if (testLimit != null) {
            trainArgs.addAll(List.of("--test-limit", String.valueOf(testLimit)));
        }
        if (device != null) {
            trainArgs.addAll(List.of("--device", device));
        }
        new CommandLine(train).parseArgs(trainArgs.toArray(String[]::new));
        RunConfig config = train.config("demo");
        System.out.printf(Locale.ROOT, "== 1. regular training, full budget: %d epochs ==%n", epochs);
        TrainingJob.Outcome sgd = TrainingJob.run(config, Devices.resolve(device), run, true, TrainingJob.Plan.trainOnly(config), System.out);

        int end = half * perEpoch + 1;
        System.out.printf(Locale.ROOT, "%n== 2. TWA on the first half: snapshots [0, %d) = epochs 0..%d, %d TWA epochs ==%n",
                end, half, twaEpochs);
        TwaCommand twa = new TwaCommand();
        List<String> twaArgs = new java.util.ArrayList<>(List.of("--run", run.toString(), "--params-start", "0",
                "--params-end", String.valueOf(end), "--epochs", String.valueOf(twaEpochs), "--lr", "2", "--wd", "1e-5",
                "--schedule", "linear",
                "--name", "first-half", "--overwrite"));
        if (device != null) {
            twaArgs.addAll(List.of("--device", device));
        }
        new CommandLine(twa).parseArgs(twaArgs.toArray(String[]::new));
        TwaRunner.Result result = twa.runTwa();

        List<TrainingListener.EpochEvent> epochsRun = sgd.epochs();
        double halfSeconds = epochsRun.subList(0, half).stream().mapToDouble(TrainingListener.EpochEvent::seconds).sum();
        double fullSeconds = epochsRun.stream().mapToDouble(TrainingListener.EpochEvent::seconds).sum();
        System.out.printf(Locale.ROOT, "%n%-40s %10s %10s %10s%n", "", "epochs", "test acc", "seconds");
        row("SGD, full budget", String.valueOf(epochs), epochsRun.get(epochs - 1).test().top1(), fullSeconds);
        row("SGD, first half", String.valueOf(half), epochsRun.get(half - 1).test().top1(), halfSeconds);
        row("first half, average of snapshots + BN", String.valueOf(half), result.average().top1(), halfSeconds);
        row("first half + TWA", half + "+" + twaEpochs, result.twa().top1(), halfSeconds + result.seconds());
        System.out.printf(Locale.ROOT, "%nTWA used %.0f%% of the full run's time; results in %s, snapshots in %s%n",
                100 * (halfSeconds + result.seconds()) / fullSeconds, result.directory(), run.resolve("snapshots"));
        return ExitCode.OK;
    }

    private static void row(String name, String epochs, double accuracy, double seconds) {
        System.out.printf(Locale.ROOT, "%-40s %10s %10.4f %10.1f%n", name, epochs, accuracy, seconds);
    }
}
