package io.twa4j.cli;

import io.twa4j.core.snapshot.SnapshotInfo;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.config.RunConfig;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code twa4j inspect}: the snapshot history of a run as a table. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show a run's snapshots and their metrics.")
final class InspectCommand implements Callable<Integer> {

    @Option(names = "--run", paramLabel = "DIR", required = true, description = "The run directory.")
    Path run;

    @Override
    public Integer call() {
        RunConfig config = RunDirectory.open(run).readConfig();
        SnapshotStore store = SnapshotStore.open(run);
        System.out.printf(Locale.ROOT, "%s: %s on %s, %d epochs, seed %d%n", run, config.model().model(), config.data().data(), config.epochs(), config.seed());
        System.out.printf(Locale.ROOT, "%6s %6s %6s %10s %10s %10s %10s %10s %12s  %s%n",
                "index", "epoch", "step", "lr", "train_loss", "train_acc", "test_loss", "test_acc", "bytes", "sha256");
        for (SnapshotInfo info : store.list()) {
            Map<String, Double> metrics = info.meta().metrics();
            System.out.printf(Locale.ROOT, "%6d %6d %6d %10s %10s %10s %10s %10s %12d  %s%n",
                    info.index(), info.meta().epoch(), info.meta().step(), number(info.meta().lr()),
                    number(metrics.get("train_loss")), number(metrics.get("train_acc")),
                    number(metrics.get("test_loss")), number(metrics.get("test_acc")),
                    info.bytes(), info.sha256().substring(0, 12));
        }
        return ExitCode.OK;
    }

    private static String number(Double value) {
        return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, "%.4g", value);
    }
}
