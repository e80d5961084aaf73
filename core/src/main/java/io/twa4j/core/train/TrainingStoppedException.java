package io.twa4j.core.train;

/** A training run stopped on request (a signal) at a step boundary, after its state was saved. */
public final class TrainingStoppedException extends RuntimeException {

    private final int epoch;
    private final int stepsDone;

    /** Stopped in epoch {@code epoch} (from 0) after {@code stepsDone} of its {@code stepsPerEpoch} steps. */
    public TrainingStoppedException(int epoch, int stepsDone, int stepsPerEpoch) {
        super("stopped in epoch " + (epoch + 1) + " after step " + stepsDone + " of " + stepsPerEpoch);
        this.epoch = epoch;
        this.stepsDone = stepsDone;
    }

    /** The epoch (from 0) in which the run stopped. */
    public int epoch() {
        return epoch;
    }

    /** Steps of that epoch done. */
    public int stepsDone() {
        return stepsDone;
    }
}
