package io.twa4j.core.collective;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Median allReduceSum time of a world of two ranks at 30, 1 000, 100 000 and 1 000 000 floats:
 * LocalCollective (threads), TcpCollective with both ranks as threads of this JVM, and
 * TcpCollective with rank 1 in a child JVM, all on loopback. Not a unit test: run it with {@code
 * java -cp core/target/classes:core/target/test-classes io.twa4j.core.collective.CollectiveBench}.
 */
public final class CollectiveBench {

    private static final int[] LENGTHS = {30, 1_000, 100_000, 1_000_000};
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private CollectiveBench() {}

    /** Prints one line per length: the median of each kind of world, in microseconds. */
    public static void main(String[] args) throws Exception {
        System.out.println("allReduceSum, 2 ranks on loopback: median µs per call (after as many warm-up calls)");
        System.out.printf(Locale.ROOT, "%10s %16s %16s %18s%n", "floats", "Local (threads)", "TCP (threads)", "TCP (2 processes)");
        double[] local = medians(LocalCollective.group(2, TIMEOUT));
        double[] tcp = medians(TcpCollective.loopbackGroup(2, TIMEOUT));
        double[] processes = withChildProcess();
        for (int i = 0; i < LENGTHS.length; i++) {
            System.out.printf(Locale.ROOT, "%10d %16.1f %16.1f %18.1f%n", LENGTHS[i], local[i], tcp[i], processes[i]);
        }
    }

    /** How many calls are timed (and made before, to warm up) at a length. */
    static int iterations(int length) {
        return length <= 1_000 ? 2_000 : length <= 100_000 ? 200 : 40;
    }

    /** Rank 0's median call time at each length, in µs, with every rank on its own thread; closes the world. */
    private static double[] medians(List<Collective> world) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(world.size());
        try {
            List<Future<double[]>> ranks = new ArrayList<>();
            for (Collective member : world) {
                ranks.add(threads.submit(() -> timeEveryLength(member)));
            }
            double[] zero = ranks.get(0).get();
            for (Future<double[]> rank : ranks) {
                rank.get();
            }
            return zero;
        } finally {
            threads.shutdownNow();
            world.forEach(Collective::close);
        }
    }

    private static double[] timeEveryLength(Collective member) {
        double[] medians = new double[LENGTHS.length];
        for (int i = 0; i < LENGTHS.length; i++) {
            float[] data = new float[LENGTHS[i]];
            int iterations = iterations(LENGTHS[i]);
            long[] nanos = new long[iterations];
            for (int call = -iterations; call < iterations; call++) {
                long start = System.nanoTime();
                member.allReduceSum(data);
                if (call >= 0) {
                    nanos[call] = System.nanoTime() - start;
                }
            }
            Arrays.sort(nanos);
            medians[i] = nanos[iterations / 2] / 1e3;
        }
        return medians;
    }

    /** Rank 0 here and rank 1 in a child JVM running the same calls. */
    private static double[] withChildProcess() throws IOException, InterruptedException {
        try (Rendezvous rendezvous = Rendezvous.start("127.0.0.1", 2, TIMEOUT)) {
            String lengths = Arrays.stream(LENGTHS).mapToObj(String::valueOf).collect(Collectors.joining(","));
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), CollectivePeerMain.class.getName(), "127.0.0.1",
                    String.valueOf(rendezvous.address().getPort()), "1", "2", String.valueOf(TIMEOUT.toMillis()), "bench",
                    lengths);
            Process child = new ProcessBuilder(command).inheritIO().start();
            try (Collective zero = TcpCollective.join(rendezvous.address(), 0, 2, new TcpCollective.Options("127.0.0.1", TIMEOUT))) {
                return timeEveryLength(zero);
            } finally {
                if (child.waitFor() != 0) {
                    System.err.println("the child rank exited with " + child.exitValue());
                }
            }
        }
    }
}
