package io.twa4j.run;

import io.twa4j.core.train.TrainingListener;
import io.twa4j.run.report.EpochLines;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * Where a job reports and what it listens to: its messages, a progress listener per phase, and
 * the user's request to stop (checked between steps; a job that keeps states saves one and ends
 * with a {@link RunError.Kind#STOPPED} error).
 *
 * @param out messages, one line each
 * @param progress the progress listener of each phase ("train", "twa")
 * @param stopRequest true once the user asked to stop
 */
public record Console(PrintStream out, Progress progress, BooleanSupplier stopRequest) {

    /** Shows a phase's progress. */
    @FunctionalInterface
    public interface Progress {
        /** A listener that shows the progress of {@code phase}. */
        TrainingListener listener(String phase);
    }

    /** Messages and one line per epoch on {@code out}; never asked to stop. */
    public static Console of(PrintStream out) {
        return new Console(out, phase -> new EpochLines(phase, out), () -> false);
    }

    /** Nothing shown, never asked to stop. */
    public static Console silent() {
        return of(new PrintStream(OutputStream.nullOutputStream()));
    }
}
