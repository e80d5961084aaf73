package io.twa4j.core.train;

/** Training met a NaN or infinite loss and stopped before applying the update. */
public final class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The loss {@code loss} at step {@code step} of epoch {@code epoch} (both from 0). */
    public NonFiniteLossException(double loss, int epoch, int step) {
        super("loss became " + loss + " at epoch " + (epoch + 1) + ", step " + (step + 1)
                + "; lower the learning rate");
    }
}
