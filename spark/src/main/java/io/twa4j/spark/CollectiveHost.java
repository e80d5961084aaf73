package io.twa4j.spark;

import io.twa4j.core.collective.Collective;
import java.io.Serializable;
import java.time.Duration;

/**
 * The driver's side of forming the group of one stage: something the tasks find each other
 * through, for as long as the stage runs (every attempt of it).
 */
interface CollectiveHost extends AutoCloseable {

    /** What a task needs to join: serialized into every task of the stage. */
    Joiner joiner();

    /** Stops serving; tasks still joining fail. */
    @Override
    void close();

    /** Starts a host for a group of {@code size} on {@code bindHost}. */
    @FunctionalInterface
    interface Factory extends Serializable {
        CollectiveHost start(String bindHost, int size, Duration timeout);
    }

    /** A task's way into the group. */
    @FunctionalInterface
    interface Joiner extends Serializable {
        /**
         * Joins as {@code rank} of {@code size} from an executor reachable at {@code localHost}
         * (the stage attempt's group: a retried attempt joins anew).
         */
        Collective join(int rank, int size, String localHost);
    }
}
