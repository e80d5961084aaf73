package io.twa4j.core.schedule;

/**
 * A learning rate as a function of the position in a run. Per-epoch schedules ignore the step
 * within the epoch; per-iteration schedules use it.
 */
@FunctionalInterface
public interface LrSchedule {

    /**
     * The learning rate for the step {@code step} (from 0) of epoch {@code epoch} (from 0), in a
     * run with {@code stepsPerEpoch} steps per epoch.
     */
    double at(int epoch, int step, int stepsPerEpoch);
}
