package io.twa4j.core.train;

/** Training met a NaN or infinite loss and stopped before applying the update. */
public final class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The loss {@code loss} at step {@code step} of epoch {@code epoch} (both from 0). */
    public NonFiniteLossException(double loss, int epoch, int step) {
        this(loss, epoch, step, "");
    }

    private NonFiniteLossException(double loss, int epoch, int step, String what) {
        super("loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (step + 1) + "; " + what + "lower the learning rate");
    }

    /**
     * The evaluation after epoch {@code epoch} (from 0), whose last step was {@code lastStep},
     * met the loss {@code loss}: the training losses were finite, the weights they left are not
     * usable.
     */
    public static NonFiniteLossException inEvaluation(double loss, int epoch, int lastStep) {
        return new NonFiniteLossException(loss, epoch, lastStep, "that was the test loss after the epoch: ");
    }
}
