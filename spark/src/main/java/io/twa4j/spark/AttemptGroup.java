package io.twa4j.spark;

import io.twa4j.core.collective.Collective;
import io.twa4j.core.collective.Rendezvous;
import io.twa4j.core.collective.TcpCollective;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The group of one attempt of a stage, over TCP: a {@link Rendezvous} on the driver, new for every
 * attempt (so a task left over from an earlier attempt, which knows only the old, closed address,
 * cannot join), and a {@link TcpCollective} on each executor, listening on the host Spark knows the
 * executor by.
 */
final class AttemptGroup implements AutoCloseable {

    private final Rendezvous rendezvous;
    private final Duration timeout;

    private AttemptGroup(Rendezvous rendezvous, Duration timeout) {
        this.rendezvous = rendezvous;
        this.timeout = timeout;
    }

    /** A rendezvous for {@code size} ranks on {@code bindHost}; every wait lasts at most {@code timeout}. */
    static AttemptGroup start(String bindHost, int size, Duration timeout) {
        return new AttemptGroup(Rendezvous.start(bindHost, size, timeout), timeout);
    }

    /** What a task needs to join: serialized into every task of the attempt. */
    Joiner joiner() {
        return new Joiner(rendezvous.address(), timeout);
    }

    /** Stops the rendezvous; tasks still joining fail. */
    @Override
    public void close() {
        rendezvous.close();
    }

    /** A task's way into the group: the rendezvous's address and the timeout of every wait. */
    record Joiner(InetSocketAddress rendezvous, Duration timeout) implements Serializable {

        /** Joins as {@code rank} of {@code size}, listening on {@code localHost} for the ring. */
        Collective join(int rank, int size, String localHost) {
            return TcpCollective.join(rendezvous, rank, size, new TcpCollective.Options(localHost, timeout));
        }
    }
}
