package io.twa4j.core.io;

import java.nio.file.Path;

/**
 * A file that a {@link FileManifest} vouches for is missing, truncated, changed or unlisted, or
 * the manifest itself is damaged. The message is one line naming the file and the problem, fit to
 * show to a user as is; {@link #file()} and {@link #kind()} say the same for programs.
 */
public class IntegrityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Kind {
        /** The file is listed but does not exist. */
        MISSING,
        /** The file is shorter than recorded. */
        TRUNCATED,
        /** The file is longer than recorded (replaced or appended to). */
        LONGER,
        /** The file has the recorded size but another SHA-256. */
        CORRUPT,
        /** The file is not listed in the manifest, so nothing vouches for it. */
        UNLISTED,
        /** The manifest is malformed (not its JSON, a bad entry). */
        BAD_MANIFEST,
        /** The file or the manifest cannot be read or written. */
        IO
    }

    private final transient Path file;
    private final Kind kind;

    /** A problem with {@code file}, described by {@code message}, without an underlying failure. */
    public IntegrityException(Kind kind, Path file, String message) {
        this(kind, file, message, null);
    }

    /**
     * A problem with {@code file}.
     *
     * @param kind what is wrong
     * @param file the file concerned (the manifest itself for {@link Kind#BAD_MANIFEST})
     * @param message one line naming the file and the problem
     * @param cause the underlying failure, or null
     */
    public IntegrityException(Kind kind, Path file, String message, Throwable cause) {
        super(OneLine.of(message), cause);
        this.kind = kind;
        this.file = file;
    }

    /** The file concerned. */
    public Path file() {
        return file;
    }

    /** What is wrong with it. */
    public Kind kind() {
        return kind;
    }
}
