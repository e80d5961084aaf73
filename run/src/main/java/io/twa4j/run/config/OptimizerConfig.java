package io.twa4j.run.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.twa4j.core.schedule.Schedules;
import java.util.List;
import java.util.Locale;

/**
 * SGD and its learning-rate schedule over the run's epoch budget (PyTorch's semantics:
 * {@code buf = μ·buf + (g + wd·w); w -= lr·buf}).
 *
 * @param epochs the epoch budget
 * @param lr the initial learning rate
 * @param momentum the momentum μ
 * @param wd the weight decay
 * @param schedule {@code step} (×0.1 at the milestones), {@code constant}, {@code linear}, or {@code swa}
 *     (the SWA recipe; then the run's {@link SwaConfig} holds its settings)
 * @param milestones the step schedule's milestones as fractions of the epochs, each in (0, 1)
 * @param labelSmoothing the label smoothing ε of the training loss, in [0, 1) (0: plain cross-entropy)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OptimizerConfig(int epochs, double lr, double momentum, double wd, String schedule, List<Double> milestones,
        double labelSmoothing) {

    /** The reference's step milestones: ×0.1 at 50% and 75% of the epochs. */
    public static final List<Double> REFERENCE_MILESTONES = List.of(0.5, 0.75);

    /** Checks every value, naming its key. */
    public OptimizerConfig {
        Settings.positive("epochs", epochs);
        Settings.positive("lr", lr);
        Settings.fraction("momentum", momentum);
        Settings.nonNegative("wd", wd);
        schedule = schedule == null ? null : schedule.toLowerCase(Locale.ROOT);
        if (!Schedules.SWA.equals(schedule)) {
            Settings.oneOf("schedule", schedule, Schedules.NAMES);
        }
        if (milestones == null || milestones.stream().anyMatch(f -> f == null || !(f > 0 && f < 1))) {
            throw new InvalidSettingException("milestones", "{milestones} must be fractions in (0, 1), not " + milestones);
        }
        milestones = List.copyOf(milestones);
        Settings.fraction("label_smoothing", labelSmoothing);
    }

    /** Without label smoothing. */
    public OptimizerConfig(int epochs, double lr, double momentum, double wd, String schedule, List<Double> milestones) {
        this(epochs, lr, momentum, wd, schedule, milestones, 0);
    }

    /** The reference's SGD: momentum 0.9, weight decay 1e-4, step schedule at 50% and 75%. */
    public static OptimizerConfig reference(int epochs, double lr) {
        return new OptimizerConfig(epochs, lr, 0.9, 1e-4, "step", REFERENCE_MILESTONES);
    }

    /** The milestones as an array. */
    public double[] milestoneFractions() {
        return milestones.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
