package io.twa4j.spark;

import io.twa4j.core.collective.Collective;
import java.time.Duration;

/** Until the network collective lands: ranks and sizes, but no operations between workers. */
final class PlaceholderHost implements CollectiveHost {

    static final Factory FACTORY = PlaceholderHost::new;

    PlaceholderHost(String bindHost, int size, Duration timeout) {}

    @Override
    public Joiner joiner() {
        return RanksOnly::new;
    }

    @Override
    public void close() {}

    /** A member that knows its rank and size and nothing else. */
    private record RanksOnly(int rank, int size, String localHost) implements Collective {
        @Override
        public void barrier() {
            throw new UnsupportedOperationException("no network collective yet");
        }

        @Override
        public void broadcast(float[] data, int root) {
            throw new UnsupportedOperationException("no network collective yet");
        }

        @Override
        public void allReduceSum(float[] data) {
            throw new UnsupportedOperationException("no network collective yet");
        }

        @Override
        public void close() {}
    }
}
