package io.twa4j.spark;

import io.twa4j.core.collective.Collective;
import java.io.Serializable;

/**
 * What one worker of a Spark stage runs: the same task on every rank, each with its own member of
 * one group. It is serialized to the executors, so whatever it captures must be serializable.
 */
@FunctionalInterface
public interface WorkerTask extends Serializable {

    /**
     * Runs rank {@code collective.rank()} of {@code collective.size()} and returns its exit code (0
     * for success; the driver gets every rank's code). An exception fails the stage attempt: Spark
     * runs every rank again, each with a new group, and after its last attempt the driver reports
     * the rank and the exception's message.
     */
    int run(Collective collective) throws Exception;

    /**
     * Runs attempt {@code attempt} (from 1) of the stage; a task that must do something else when
     * its stage is run again (a training continuing from its saved state) overrides this one.
     * Calls {@link #run(Collective)}.
     */
    default int run(Collective collective, int attempt) throws Exception {
        return run(collective);
    }
}
