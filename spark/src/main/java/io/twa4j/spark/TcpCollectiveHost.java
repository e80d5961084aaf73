package io.twa4j.spark;

import io.twa4j.core.collective.Collective;
import io.twa4j.core.collective.Rendezvous;
import io.twa4j.core.collective.TcpCollective;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The group of one attempt over TCP: a {@link Rendezvous} on the driver, new for every attempt
 * (so a task left over from an earlier attempt, which knows only the old, closed address, cannot
 * join), and a {@link TcpCollective} on each executor, listening on the host Spark knows the
 * executor by.
 */
final class TcpCollectiveHost implements CollectiveHost {

    /** Starts one for each attempt. */
    static final Factory FACTORY = TcpCollectiveHost::new;

    private final Rendezvous rendezvous;
    private final Duration timeout;

    private TcpCollectiveHost(String bindHost, int size, Duration timeout) {
        this.rendezvous = Rendezvous.start(bindHost, size, timeout);
        this.timeout = timeout;
    }

    @Override
    public Joiner joiner() {
        return new TcpJoiner(rendezvous.address(), timeout);
    }

    @Override
    public void close() {
        rendezvous.close();
    }

    /** Joins at {@code rendezvous}; every wait of the member lasts at most {@code timeout}. */
    private record TcpJoiner(InetSocketAddress rendezvous, Duration timeout) implements Joiner {
        @Override
        public Collective join(int rank, int size, String localHost) {
            return TcpCollective.join(rendezvous, rank, size, new TcpCollective.Options(localHost, timeout));
        }
    }
}
