package io.twa4j.core.train;

/**
 * Observes a {@link TrainingLoop}. Each listener does one job (snapshots, metrics, progress,
 * averaging); all methods default to doing nothing.
 */
public interface TrainingListener {

    /** Before the first step of the run. */
    default void onRunStart(RunInfo run) {}

    /** After each optimiser step (parameters already updated, gradients zeroed). */
    default void onStep(StepEvent step) {}

    /** After each epoch, once the test set has been evaluated. */
    default void onEpochEnd(EpochEvent epoch) {}

    /** After the last epoch. */
    default void onRunEnd() {}

    /**
     * When the run is stopped on request after {@code lastStep} (a signal): the place to save a
     * resumable state. The loop throws {@link TrainingStoppedException} afterwards.
     */
    default void onStop(StepEvent lastStep) {}

    /**
     * The shape of the run.
     *
     * @param firstEpoch the first epoch to run (from 0)
     * @param epochs the total number of epochs of the run
     * @param stepsPerEpoch optimiser steps per epoch
     * @param firstLr the learning rate of the first step
     * @param firstStep the steps of the first epoch already done (non-zero only when resuming)
     * @param resumed whether the run continues an earlier one
     */
    record RunInfo(int firstEpoch, int epochs, int stepsPerEpoch, double firstLr, int firstStep, boolean resumed) {}

    /**
     * One optimiser step.
     *
     * @param epoch the epoch (from 0)
     * @param step the step within the epoch (from 0)
     * @param stepsPerEpoch steps per epoch
     * @param globalStep steps since the start of the run (from 0)
     * @param lr the learning rate used
     * @param loss the mean loss of the batch
     * @param runningLoss the mean loss over the epoch so far
     * @param lossSum the sum of batch loss × batch size over the epoch so far
     * @param correct correctly classified training examples over the epoch so far
     * @param seen training examples over the epoch so far
     */
    record StepEvent(int epoch, int step, int stepsPerEpoch, long globalStep, double lr, double loss, double runningLoss,
            double lossSum, long correct, long seen) {

        /** Whether this is the epoch's last step. */
        public boolean endsEpoch() {
            return step == stepsPerEpoch - 1;
        }
    }

    /**
     * A finished epoch.
     *
     * @param epoch epochs completed (from 1)
     * @param lr the learning rate at the epoch's first step
     * @param trainLoss mean training loss over the epoch (in train mode, as it went)
     * @param trainAcc training top-1 accuracy over the epoch
     * @param test the test evaluation, or null when no test set was given
     * @param seconds wall time of the epoch, evaluation included
     * @param dataWaitSeconds time the loop spent waiting for batches
     */
    record EpochEvent(
            int epoch, double lr, double trainLoss, double trainAcc, Evaluation test, double seconds, double dataWaitSeconds) {}
}
