package io.twa4j.core.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The conformance suite on TCP ranks (threads of this JVM, each with its own sockets on loopback),
 * and what only a network has: a peer in another process that is killed or stopped.
 */
class TcpCollectiveTest extends CollectiveConformance {

    private static final String LOOPBACK = "127.0.0.1";

    @Override
    protected List<Collective> group(int size, Duration timeout) {
        return TcpCollective.loopbackGroup(size, timeout);
    }

    /** A child JVM running {@link CollectivePeerMain} as {@code rank} of a world of two, in mode idle. */
    static Process startIdlePeer(InetSocketAddress rendezvous, int rank) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CollectivePeerMain.class.getName(), rendezvous.getHostString(), String.valueOf(rendezvous.getPort()),
                String.valueOf(rank), "2", String.valueOf(LONG.toMillis()), "idle"));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Rank 0 of a world of two whose rank 1 is an idle child process, after one checked allReduceSum with it. */
    private static TcpCollective joinWithChild(Rendezvous rendezvous, Process child, Duration timeout) throws IOException {
        TcpCollective zero = TcpCollective.join(rendezvous.address(), 0, 2, new TcpCollective.Options(LOOPBACK, timeout));
        float[] data = {1, 2, 3};
        zero.allReduceSum(data);
        assertThat(data).containsExactly(3, 6, 9);
        BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertThat(lines.readLine()).isEqualTo("ready [3.0, 6.0, 9.0]");
        return zero;
    }

    @Test
    @Timeout(60)
    void aPeerProcessKilledWhileRankZeroWaitsIsNamedWithoutWaitingForTheTimeout() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, LONG)) {
            Process child = startIdlePeer(rendezvous.address(), 1);
            try (TcpCollective zero = joinWithChild(rendezvous, child, Duration.ofMinutes(5))) {
                Future<?> waiting = thread.submit(() -> zero.allReduceSum(new float[5]));
                Thread.sleep(200); // most likely rank 0 waits by now; if not, its call must fail all the same
                child.destroyForcibly().waitFor();
                CollectiveException failure = outcome(0, waiting).collectiveFailure();
                assertThat(failure.peer()).isEqualTo(1);
                assertThat(failure).hasMessageContaining("rank 1").hasMessageNotContaining("waited");
                assertThatThrownBy(zero::barrier).isInstanceOf(CollectiveException.class);
            } finally {
                child.destroyForcibly();
            }
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    @Timeout(60)
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void aStoppedPeerProcessIsNamedAfterTheTimeout() throws Exception {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, LONG)) {
            Process child = startIdlePeer(rendezvous.address(), 1);
            try (TcpCollective zero = joinWithChild(rendezvous, child, Duration.ofSeconds(1))) {
                signal(child, "-STOP");
                assertThatThrownBy(() -> zero.allReduceSum(new float[5])).isInstanceOfSatisfying(CollectiveException.class,
                        failure -> assertThat(failure.peer()).isEqualTo(1))
                        .hasMessageContaining("rank 0 waited 1000 ms for rank 1");
            } finally {
                signal(child, "-CONT");
                child.destroyForcibly();
            }
        }
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill %s", signal).isZero();
    }

    @Test
    void aWorldOfOneNeedsNoRendezvous() {
        try (TcpCollective alone = TcpCollective.join(null, 0, 1, TcpCollective.Options.defaults())) {
            float[] data = {2.5f};
            alone.allReduceSum(data);
            alone.barrier();
            assertThat(data).containsExactly(2.5f);
            assertThat(alone.rank()).isZero();
            assertThat(alone.size()).isOne();
        }
    }

    @Test
    void joinRefusesARankOutsideTheWorldAndBadOptions() {
        InetSocketAddress nowhere = new InetSocketAddress(LOOPBACK, 9);
        TcpCollective.Options options = TcpCollective.Options.defaults();
        assertThatThrownBy(() -> TcpCollective.join(nowhere, 2, 2, options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rank 2 is not in [0, 2)");
        assertThatThrownBy(() -> TcpCollective.join(nowhere, 0, 0, options)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> new TcpCollective.Options(" ", LONG)).isInstanceOf(IllegalArgumentException.class);
        assertThat(options.timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.bindHost()).isNotBlank();
    }

    @Test
    void aRendezvousThatIsNotThereIsNamed() throws IOException {
        InetSocketAddress closed;
        try (Rendezvous gone = Rendezvous.start(LOOPBACK, 2, LONG)) {
            closed = gone.address();
        }
        assertThatThrownBy(() -> TcpCollective.join(closed, 0, 2, new TcpCollective.Options(LOOPBACK, LONG)))
                .isInstanceOf(CollectiveException.class)
                .hasMessageContaining("could not register at the rendezvous").hasMessageContaining(String.valueOf(closed.getPort()));
    }
}
