package io.twa4j.cli;

/** The exit codes of the {@code twa4j} command (also listed in the README). */
public final class ExitCode {
    /** Success. */
    public static final int OK = 0;
    /** An unexpected failure (a bug or an engine error); rerun with --verbose for the stack trace. */
    public static final int FAILURE = 1;
    /** Bad command line: unknown option, bad number, unknown name. */
    public static final int USAGE = 2;
    /** Bad or missing input files: dataset, snapshot, manifest, run directory. */
    public static final int BAD_INPUT = 3;
    /** Training diverged: NaN or infinite loss. */
    public static final int DIVERGED = 4;
    /** Stopped by SIGINT or SIGTERM after saving a resumable state. */
    public static final int STOPPED = 5;
    /**
     * A worker of a multi-worker run was lost (it died, stopped or could not be reached; the
     * message names it): continue with --resume. Spark runs such an attempt again by itself.
     */
    public static final int WORKER_LOST = 6;

    private ExitCode() {}
}
