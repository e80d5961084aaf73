package io.twa4j.spark;

/**
 * A stage of workers that did not complete: a worker kept failing until Spark gave up, the stage
 * ran past its timeout, or Spark itself failed. The message is one line that says which.
 */
public final class SparkWorkersException extends RuntimeException {

    /** The rank at fault, or -1 when no single rank is. */
    private final int rank;

    /** A failure caused by {@code rank} (or -1). */
    public SparkWorkersException(int rank, String message, Throwable cause) {
        super(message, cause);
        this.rank = rank;
    }

    /** The rank at fault, or -1 when no single rank is. */
    public int rank() {
        return rank;
    }
}
