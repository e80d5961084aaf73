package io.twa4j.core.collective;

/**
 * A collective call that did not complete: a peer died, stopped, left or disagreed (another
 * length, another operation), or the call timed out. The data of the call must not be used.
 */
public final class CollectiveException extends RuntimeException {

    /** The rank at fault, or -1 when no single rank is. */
    private final int peer;

    /** A failure caused by {@code peer} (or -1). */
    public CollectiveException(int peer, String message) {
        this(peer, message, null);
    }

    /** A failure caused by {@code peer} (or -1), with its cause. */
    public CollectiveException(int peer, String message, Throwable cause) {
        super(message, cause);
        this.peer = peer;
    }

    /** The rank at fault, or -1 when no single rank is. */
    public int peer() {
        return peer;
    }
}
