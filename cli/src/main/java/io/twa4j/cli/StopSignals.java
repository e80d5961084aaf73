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

    /** Installs the handlers (once per process) and returns the request flag's reader. */
    static java.util.function.BooleanSupplier install() {
        if (INSTALLED.compareAndSet(false, true)) {
            for (String name : new String[] {"INT", "TERM"}) {
                try {
                    Signal.handle(new Signal(name), signal -> {
                        if (REQUESTED.getAndSet(true)) {
                            System.err.println("twa4j: second " + signal.getName() + "; stopping now without saving");
                            Runtime.getRuntime().halt(128 + signal.getNumber());
                        }
                        System.err.println("twa4j: " + signal.getName() + " received; stopping after the current step (again to stop at once)");
                    });
                } catch (IllegalArgumentException e) {
                    // the signal is not available here (or the JVM reserves it): keep the default behaviour
                }
            }
        }
        return REQUESTED::get;
    }
}
