package io.twa4j.cli;

/** A problem the user can fix, reported as one line with an exit code and no stack trace. */
public final class UserError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /** A problem with exit code {@code exitCode} (see {@link ExitCode}). */
    public UserError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** A problem with the command line. */
    public static UserError usage(String message) {
        return new UserError(ExitCode.USAGE, message);
    }

    /** A problem with input files. */
    public static UserError badInput(String message) {
        return new UserError(ExitCode.BAD_INPUT, message);
    }

    /** The exit code to end with. */
    public int exitCode() {
        return exitCode;
    }
}
