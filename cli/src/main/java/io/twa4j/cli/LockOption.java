package io.twa4j.cli;

import io.twa4j.run.RunLock;
import picocli.CommandLine.Option;

/** {@code --no-lock}, on every command that writes to a run (which otherwise holds the run's lock, RUN/lock). */
final class LockOption {

    @Option(names = "--no-lock",
            description = "Write without the run's lock (RUN/lock), where the file system cannot lock files (some network"
                    + " file systems); nothing then keeps a second command from writing the same run.")
    boolean noLock;

    /** How the command's job holds the run's lock. */
    RunLock.Mode mode() {
        return noLock ? RunLock.Mode.NONE : RunLock.Mode.EXCLUSIVE;
    }
}
