package io.twa4j.cli;

import io.twa4j.core.twa.Basis;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.twa.TwaSettings;
import java.util.Map;
import picocli.CommandLine.Option;

/** TWA's coefficient-training settings as the flags of {@code twa} (the reference's names). */
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

    @Option(names = "--basis-dtype", paramLabel = "f32|f16|int8|int4", defaultValue = "f32",
            description = "Store the basis as f32, f16 (half the memory), int8 (a quarter) or int4 (an eighth; min-max per row and"
                    + " 4,096 entries, decoded a block at a time in each product); bf16 is not available with this engine"
                    + " (default: ${DEFAULT-VALUE}).")
    String basisDtype = "f32";

    @Option(names = "--coefficients", paramLabel = "MODE", defaultValue = "global",
            description = "One coefficient per snapshot (global, the reference) or one per snapshot and block of parameters:"
                    + " per-tensor, per-layer, or blocks:K (K runs of consecutive tensors of about equal size); the journal"
                    + " version's layer-wise TWA (default: ${DEFAULT-VALUE}).")
    String coefficients = "global";

    @Option(names = "--train-on", paramLabel = "train|val", defaultValue = "train",
            description = "Train the coefficients (and recompute BatchNorm statistics) on the training images or on the run's"
                    + " held-out ones (`train --val-ratio`; the journal version's TWA-v) (default: ${DEFAULT-VALUE}).")
    String trainOn;

    @Option(names = "--baseline", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "First recompute BatchNorm for the equal average of the snapshots and evaluate it, the baseline TWA is"
                    + " compared with (a BN pass and an evaluation; --no-baseline skips them) (default: on).")
    boolean baseline = true;

    @Option(names = "--name", paramLabel = "NAME", description = "Result name, RUN/twa/NAME (default: p<start>-<end>).")
    String name;

    /** The settings for snapshots [start, end) with stride, at the run's batch size unless --batch-size; each value checked. */
    TwaSettings settings(int start, int end, int stride, int runBatchSize) {
        int batch = batchSize == null ? runBatchSize : batchSize;
        return Check.flags(() -> new TwaSettings(name, start, end, stride, trainStart, epochs, lr, wd, momentum, schedule,
                OptimizerConfig.REFERENCE_MILESTONES, batch, tolerance, basisDtype, trainOn, baseline, coefficients));
    }

    /** The flags of {@code train --twa-after}: --twa-epochs, --twa-lr, ... */
    static final Map<String, String> AFTER_FLAGS = Map.of("epochs", "--twa-epochs", "lr", "--twa-lr", "wd", "--twa-wd",
            "momentum", "--twa-momentum", "schedule", "--twa-schedule", "basis_dtype", "--twa-basis-dtype", "name", "--twa-name", "coefficients", "--twa-coefficients");
}
