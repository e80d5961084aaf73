package io.twa4j.core.io;

/**
 * A file is missing, damaged (malformed, truncated, corrupt) or cannot be read or written. The
 * message is one line naming the file and the problem, fit to show to a user as is (line breaks
 * in it are made spaces).
 */
public class BadFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A problem described by {@code message}. */
    public BadFileException(String message) {
        super(OneLine.of(message));
    }

    /** A problem described by {@code message}, caused by {@code cause}. */
    public BadFileException(String message, Throwable cause) {
        super(OneLine.of(message), cause);
    }
}
