package io.twa4j.core.snapshot;

/**
 * A snapshot file or the snapshot manifest is missing, malformed, corrupt, or cannot be read or
 * written. The message is one line naming the file and the problem, fit to show to a user as is.
 */
public class SnapshotException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A problem described by {@code message}. */
    public SnapshotException(String message) {
        super(message);
    }

    /** A problem described by {@code message}, caused by {@code cause}. */
    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
