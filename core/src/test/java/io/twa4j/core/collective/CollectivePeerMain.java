package io.twa4j.core.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

/**
 * A rank in a child JVM, for the tests and the benchmark: {@code host port rank size timeoutMillis
 * mode [lengths]}. It joins over loopback, then in mode {@code idle} makes one
 * allReduceSum of {@code (rank+1)·[1, 2, 3]}, prints {@code ready} and the sum, and waits for its
 * standard input to close without calling again; in mode {@code bench} it makes, at each of the
 * comma-separated {@code lengths}, the warm-up and timed allReduceSums that {@link
 * CollectiveBench}'s rank 0 makes.
 */
public final class CollectivePeerMain {

    private CollectivePeerMain() {}

    /** Runs one rank; see the class comment for the arguments. */
    public static void main(String[] args) throws IOException {
        InetSocketAddress rendezvous = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int rank = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        TcpCollective.Options options = new TcpCollective.Options("127.0.0.1", Duration.ofMillis(Long.parseLong(args[4])));
        try (Collective member = TcpCollective.join(rendezvous, rank, size, options)) {
            if (args[5].equals("idle")) {
                float[] data = {rank + 1, 2 * (rank + 1), 3 * (rank + 1)};
                member.allReduceSum(data);
                System.out.println("ready " + Arrays.toString(data));
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait, not calling, until the parent closes the pipe or kills this process
                }
            } else {
                for (String length : args[6].split(",")) {
                    float[] data = new float[Integer.parseInt(length)];
                    for (int i = 0; i < 2 * CollectiveBench.iterations(data.length); i++) {
                        member.allReduceSum(data);
                    }
                }
            }
        }
    }
}
