package io.twa4j.cli;

import io.twa4j.core.twa.Basis;
import io.twa4j.run.RunError;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingPlan;
import io.twa4j.run.twa.TwaSettings;
import picocli.CommandLine.Option;

/** {@code train --twa-after E}: stop regular training after E epochs and go straight into TWA. */
final class TwaAfterOptions {

    @Option(names = "--twa-after", paramLabel = "E",
            description = "Train E epochs (of the --epochs budget and its schedule), keeping an in-memory basis, then run TWA on it.")
    Integer after;

    @Option(names = "--twa-epochs", paramLabel = "N", defaultValue = "10", description = "TWA epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--twa-lr", defaultValue = "2", description = "TWA learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--twa-wd", defaultValue = "1e-5", description = "TWA weight decay (default: ${DEFAULT-VALUE}).")
    double wd;

    @Option(names = "--twa-momentum", defaultValue = "0.9", description = "TWA momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--twa-schedule", defaultValue = "step", description = "TWA schedule: step, constant, linear (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--twa-basis-dtype", paramLabel = "f32|f16|int8|int4", defaultValue = "f32",
            description = "Store the basis as f32, f16, int8 or int4 (see twa --basis-dtype) (default: ${DEFAULT-VALUE}).")
    String basisDtype;

    @Option(names = "--twa-coefficients", paramLabel = "MODE", defaultValue = "global",
            description = "global, per-tensor, per-layer or blocks:K (see twa --coefficients) (default: ${DEFAULT-VALUE}).")
    String coefficients;

    @Option(names = "--twa-baseline", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Evaluate the equal average of the snapshots (after a BN pass) before TWA, as a baseline;"
                    + " --no-twa-baseline skips it (default: on).")
    boolean baseline = true;

    @Option(names = "--twa-name", paramLabel = "NAME", description = "TWA result name (default: p0-<snapshots>).")
    String name;

    @Option(names = "--keep-snapshots", description = "Also write the snapshot files (by default only the TWA results are written).")
    boolean keepSnapshots;

    /** Regular training over the whole budget, or, with --twa-after E, E epochs and then TWA. */
    TrainingPlan plan(RunConfig config) {
        if (after == null) {
            return TrainingPlan.trainOnly(config);
        }
        if (after < 1 || after > config.epochs()) {
            throw RunError.settings("--twa-after must be between 1 and --epochs (" + config.epochs() + "), got " + after);
        }
        int snapshots = after * config.snapshots().snapshotsPerEpoch() + 1;
        TwaSettings twa = Check.flags(() -> new TwaSettings(name, 0, snapshots, 1, -1, epochs, lr, wd, momentum, schedule,
                OptimizerConfig.REFERENCE_MILESTONES, config.data().batchSize(), Basis.DEFAULT_TOLERANCE, basisDtype, "train",
                baseline, coefficients),
                TwaOptions.AFTER_FLAGS);
        return new TrainingPlan(after, keepSnapshots, twa);
    }
}
