package io.twa4j.cli;

import io.twa4j.core.schedule.Schedules;
import io.twa4j.core.twa.Basis;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * TWA's coefficient-training settings as flags: {@code twa} takes them as {@code --epochs},
 * {@code --lr}, ... (the reference's names); {@code train --twa-after} as {@code --twa-epochs},
 * {@code --twa-lr}, ... One validator serves both.
 */
final class TwaOptions {

    @Option(names = "--train-start", paramLabel = "K", defaultValue = "-1",
            description = "Start at the mean of the snapshots (-1) or at snapshot K (default: ${DEFAULT-VALUE}).")
    int trainStart;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "TWA epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "2", description = "TWA learning rate (default: ${DEFAULT-VALUE}, the reference's).")
    double lr;

    @Option(names = "--wd", defaultValue = "1e-5", description = "Weight decay on the coefficients (default: ${DEFAULT-VALUE}).")
    double wd;

    @Option(names = "--momentum", defaultValue = "0.9", description = "Momentum on the coefficients (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--schedule", defaultValue = "step",
            description = "step (x0.1 at 50%% and 75%% of the TWA epochs), constant, or linear per iteration (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--batch-size", paramLabel = "N", description = "TWA batch size (default: the run's).")
    Integer batchSize;

    @Option(names = "--tolerance", defaultValue = "1e-6",
            description = "A snapshot whose residual after projection is below this fraction of its norm adds no basis row (default: ${DEFAULT-VALUE}).")
    double tolerance = Basis.DEFAULT_TOLERANCE;

    @Option(names = "--basis-dtype", paramLabel = "f32|f16", defaultValue = "f32",
            description = "Store the basis as f32 or f16 (half the memory and traffic; bf16 is not available with this engine) (default: ${DEFAULT-VALUE}).")
    String basisDtype = "f32";

    @Option(names = "--name", paramLabel = "NAME", description = "Result name, RUN/twa/NAME (default: p<start>-<end>).")
    String name;

    /** Validates the flags and fills in the settings for the range [start, end) with stride. */
    TwaSettings settings(int start, int end, int stride, int runBatchSize) {
        return validate("--", start, end, stride, runBatchSize);
    }

    /** Checks the values, naming flags with {@code prefix} ("--" or "--twa-"), and fills in the settings. */
    TwaSettings validate(String prefix, int start, int end, int stride, int runBatchSize) {
        Check.positive(prefix + "epochs", epochs);
        Check.positive(prefix + "lr", lr);
        Check.nonNegative(prefix + "wd", wd);
        Check.fraction(prefix + "momentum", momentum);
        if (!(tolerance > 0 && tolerance < 1)) {
            throw UserError.usage("--tolerance must be in (0, 1), got " + tolerance);
        }
        int batch = batchSize == null ? runBatchSize : batchSize;
        Check.positive(prefix + "batch-size", batch);
        double[] milestones = {0.5, 0.75};
        Check.usage(() -> Schedules.byName(schedule, lr, epochs, milestones));
        TwaSettings.storage(prefix + "basis-dtype", basisDtype);
        String resultName = name == null ? "p" + start + "-" + end + (stride > 1 ? "-s" + stride : "") : name;
        if (!resultName.matches("[A-Za-z0-9._-]+") || resultName.startsWith(".")) {
            throw UserError.usage("--name must be letters, digits, '.', '_' or '-', not starting with '.', got '" + resultName + "'");
        }
        return new TwaSettings(resultName, start, end, stride, trainStart, epochs, lr, wd, momentum,
                schedule.toLowerCase(Locale.ROOT), Arrays.stream(milestones).boxed().toList(), batch, tolerance,
                basisDtype.toLowerCase(Locale.ROOT));
    }
}
