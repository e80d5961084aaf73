package io.twa4j.core.snapshot;

import io.twa4j.core.io.BadFileException;

/**
 * A snapshot file or the snapshot manifest, or a state, is missing, malformed, corrupt, or cannot
 * be read or written. The message is one line naming the file and the problem, fit to show to a
 * user as is.
 */
public class SnapshotException extends BadFileException {

    private static final long serialVersionUID = 1L;

    /** A problem described by {@code message}. */
    public SnapshotException(String message) {
        super(message);
    }

    /** A problem described by {@code message}, caused by {@code cause}. */
    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code e} itself if it is a {@code SnapshotException}, else one with its message, caused by it. */
    static SnapshotException of(BadFileException e) {
        return e instanceof SnapshotException s ? s : new SnapshotException(e.getMessage(), e);
    }
}
