package io.twa4j.vision.data;

/**
 * A dataset is missing, unreadable or malformed.
 *
 * <p>The message is one line that names the file (or directory) and what is wrong with it, fit to
 * be shown to a user as is.
 */
public class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A problem described by {@code message} (one line). */
    public DatasetException(String message) {
        super(message);
    }

    /** A problem described by {@code message} (one line), caused by {@code cause}. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A short, one-line description of an I/O failure, for use inside a message. */
    static String describe(Throwable e) {
        String detail = e.getMessage();
        String kind = e.getClass().getSimpleName();
        if (detail == null || detail.isBlank()) {
            return kind;
        }
        return kind + ": " + detail.replaceAll("\\s+", " ").trim();
    }
}
