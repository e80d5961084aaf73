package io.twa4j.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM as a stop request: the first asks the training loop to stop at the next step
 * boundary (it saves a resumable state and exits with {@link ExitCode#STOPPED}); a second one
 * ends the process at once.
 */
final class StopSignals {

    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private StopSignals() {}

    /** A stop request that is never raised (a Spark task: its executor's signals are Spark's). */
    static java.util.function.BooleanSupplier never() {
        return () -> false;
    }

    /**
     * The stop request of a worker that {@code --workers} started: SIGTERM asks it to stop (the
     * launcher forwards its own SIGINT/SIGTERM so; a terminal's Ctrl-C, which reaches every process
     * of the group, is ignored here so that each worker gets exactly one request), and so does the
     * end of the launching process {@code parentPid} (checked every second), so that no worker
     * outlives it.
     */
    static java.util.function.BooleanSupplier installForWorker(Long parentPid) {
        if (INSTALLED.compareAndSet(false, true)) {
            try {
                Signal.handle(new Signal("INT"), signal -> { });
                Signal.handle(new Signal("TERM"), signal -> request(signal.getName(), 128 + signal.getNumber()));
            } catch (IllegalArgumentException e) {
                // the signal is not available here: keep the default behaviour
            }
            if (parentPid != null) {
                Thread watch = new Thread(() -> watchParent(parentPid), "twa4j-parent-watch");
                watch.setDaemon(true);
                watch.start();
            }
        }
        return REQUESTED::get;
    }

    private static void watchParent(long parentPid) {
        java.util.Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        while (parent.isPresent() && parent.get().isAlive()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
        request("the end of the launching process " + parentPid, ExitCode.STOPPED);
    }

    /**
     * Raises the stop request for {@code what} (a signal's name, or the launcher's end); a second
     * one ends the process at once with {@code haltStatus}, saving nothing.
     */
    private static void request(String what, int haltStatus) {
        if (REQUESTED.getAndSet(true)) {
            System.err.println("twa4j: second " + what + "; stopping now without saving");
            Runtime.getRuntime().halt(haltStatus);
        }
        System.err.println("twa4j: " + what + " received; stopping after the current step (again to stop at once)");
    }

    /** Installs the handlers (once per process) and returns the request flag's reader. */
    static java.util.function.BooleanSupplier install() {
        if (INSTALLED.compareAndSet(false, true)) {
            for (String name : new String[] {"INT", "TERM"}) {
                try {
                    Signal.handle(new Signal(name), signal -> request(signal.getName(), 128 + signal.getNumber()));
                } catch (IllegalArgumentException e) {
                    // the signal is not available here (or the JVM reserves it): keep the default behaviour
                }
            }
        }
        return REQUESTED::get;
    }
}
