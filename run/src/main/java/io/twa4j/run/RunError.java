package io.twa4j.run;

/**
 * A problem the user can fix, reported as one line without a stack trace: a setting that is out of
 * range or unknown, a missing or damaged input file, or a run stopped on request. The command line
 * maps each {@link Kind} to its exit code.
 */
public final class RunError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of problem it is. */
    public enum Kind {
        /** A setting (a flag, a value of the configuration) is out of range, unknown or inconsistent. */
        SETTINGS,
        /** An input file (dataset, snapshot, manifest, run directory) is missing or damaged. */
        INPUT,
        /** The run was stopped on request after saving a state it can resume from. */
        STOPPED
    }

    private final Kind kind;

    /** A problem of {@code kind} described by the one line {@code message}. */
    public RunError(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** A setting that is wrong. */
    public static RunError settings(String message) {
        return new RunError(Kind.SETTINGS, message);
    }

    /** An input file that is missing or wrong. */
    public static RunError input(String message) {
        return new RunError(Kind.INPUT, message);
    }

    /** What kind of problem it is. */
    public Kind kind() {
        return kind;
    }
}
