package io.twa4j.core.schedule;

import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The learning-rate schedules of twa4j. */
public final class Schedules {

    /** Names accepted by {@link #byName}. */
    public static final List<String> NAMES = List.of("step", "constant", "linear");

    /** The name under which runs record {@link #swa}; it needs its own parameters, so {@link #byName} does not take it. */
    public static final String SWA = "swa";

    private Schedules() {}

    /** The same rate throughout. */
    public static LrSchedule constant(double lr) {
        requirePositive(lr);
        return (epoch, step, stepsPerEpoch) -> lr;
    }

    /**
     * PyTorch's {@code MultiStepLR} with milestones given as fractions of the run: milestone epoch
     * {@code m = (int) (epochs * fraction)} (as the reference computes it), and from epoch m on
     * the rate is multiplied by {@code factor} once more.
     */
    public static LrSchedule multiStep(double lr, int epochs, double[] fractions, double factor) {
        requirePositive(lr);
        int[] milestones = milestones(epochs, fractions);
        return (epoch, step, stepsPerEpoch) -> {
            double rate = lr;
            for (int milestone : milestones) {
                if (epoch >= milestone) {
                    rate *= factor;
                }
            }
            return rate;
        };
    }

    /** The milestone epochs of {@link #multiStep}: {@code (int) (epochs * fraction)} each. */
    public static int[] milestones(int epochs, double[] fractions) {
        return Arrays.stream(fractions)
                .peek(f -> {
                    if (!(f > 0 && f < 1)) {
                        throw new IllegalArgumentException("milestones are fractions in (0, 1), got " + f);
                    }
                })
                .mapToInt(f -> (int) (epochs * f))
                .toArray();
    }

    /**
     * Decays linearly per iteration from {@code lr} at the first step to 0 after the last:
     * {@code lr * (1 - t / T)} with t the global step and T = epochs × stepsPerEpoch.
     */
    public static LrSchedule linear(double lr, int epochs) {
        requirePositive(lr);
        return (epoch, step, stepsPerEpoch) -> {
            double total = (double) epochs * stepsPerEpoch;
            double t = (double) epoch * stepsPerEpoch + step;
            return lr * Math.max(0.0, 1.0 - t / total);
        };
    }

    /**
     * The learning rate of the original SWA recipe (Izmailov et al., 2018), per epoch: constant
     * {@code lrInit} for the first half of the span, then linear down to {@code swaLr} at 90% of
     * it, then constant {@code swaLr}. The span is {@code swaStart} epochs; when {@code swaStart} is
     * beyond {@code epochs} (no averaging: plain SGD), the same shape spans the whole run.
     *
     * <pre>{@code
     * t = epoch / span;   r = swaLr / lrInit
     * factor = 1                            for t <= 0.5
     *        = 1 - (1 - r) * (t - 0.5) / 0.4 for 0.5 < t <= 0.9
     *        = r                            for t > 0.9
     * }</pre>
     *
     * <p>{@code epoch} counts from 0, as in the reference's {@code schedule(epoch)}. Usable in any
     * loop: {@code optimizer lr = schedule.at(epoch, 0, 1)} at the start of each epoch.
     */
    public static LrSchedule swa(double lrInit, double swaLr, int swaStart, int epochs) {
        requirePositive(lrInit);
        requirePositive(swaLr);
        if (swaStart < 1 || epochs < 1) {
            throw new IllegalArgumentException("swa-start and epochs must be >= 1, got " + swaStart + " and " + epochs);
        }
        double span = Math.min(swaStart, epochs);
        double ratio = swaLr / lrInit;
        return (epoch, step, stepsPerEpoch) -> {
            double t = epoch / span;
            double factor;
            if (t <= 0.5) {
                factor = 1.0;
            } else if (t <= 0.9) {
                factor = 1.0 - (1.0 - ratio) * (t - 0.5) / 0.4;
            } else {
                factor = ratio;
            }
            return lrInit * factor;
        };
    }

    /**
     * {@code schedule} as a DJL learning-rate {@link Tracker}, for a DJL {@code Optimizer} in a
     * DJL {@code Trainer} loop: DJL counts updates from 1, so update n is step n − 1 of the run.
     *
     * <pre>{@code
     * Tracker lr = Schedules.asTracker(Schedules.swa(0.1, 0.05, swaStart, epochs), stepsPerEpoch);
     * Optimizer sgd = Optimizer.sgd().setLearningRateTracker(lr).optMomentum(0.9f).build();
     * }</pre>
     */
    public static Tracker asTracker(LrSchedule schedule, int stepsPerEpoch) {
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("steps per epoch must be >= 1, got " + stepsPerEpoch);
        }
        return numUpdate -> {
            int step = Math.max(0, numUpdate - 1);
            return (float) schedule.at(step / stepsPerEpoch, step % stepsPerEpoch, stepsPerEpoch);
        };
    }

    /**
     * A schedule by name: {@code step} (multi-step ×0.1 at the given fractions), {@code constant},
     * {@code linear}.
     */
    public static LrSchedule byName(String name, double lr, int epochs, double[] fractions) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "step":
                return multiStep(lr, epochs, fractions, 0.1);
            case "constant":
                return constant(lr);
            case "linear":
                return linear(lr, epochs);
            default:
                throw new IllegalArgumentException(
                        "unknown schedule '" + name + "'; valid schedules: " + String.join(", ", NAMES));
        }
    }

    private static void requirePositive(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
    }
}
