package io.twa4j.core.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tracker: rounds by rank, one after another; refusals with reasons; and peers of another round kept apart. */
@Timeout(30)
class RendezvousTest {

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration LONG = Duration.ofSeconds(20);

    private static InetSocketAddress fake(int port) {
        return InetSocketAddress.createUnresolved("host-" + port, port);
    }

    private static CompletableFuture<Rendezvous.Round> registering(Rendezvous at, int rank, int size, int port, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> Rendezvous.register(at.address(), rank, size, fake(port), timeout));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(5);
        }
    }

    @Test
    void aFullRoundTellsEveryRankEveryAddressByRankAndTheNextRoundIsNew() throws Exception {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 3, LONG)) {
            for (long round = 1; round <= 2; round++) {
                CompletableFuture<Rendezvous.Round> two = registering(rendezvous, 2, 3, 1002, LONG);
                CompletableFuture<Rendezvous.Round> zero = registering(rendezvous, 0, 3, 1000, LONG);
                CompletableFuture<Rendezvous.Round> one = registering(rendezvous, 1, 3, 1001, LONG);
                for (CompletableFuture<Rendezvous.Round> answer : List.of(zero, one, two)) {
                    Rendezvous.Round got = answer.get(20, TimeUnit.SECONDS);
                    assertThat(got.number()).isEqualTo(round);
                    assertThat(got.tracker()).isEqualTo(zero.get().tracker());
                    assertThat(got.addresses()).extracting(InetSocketAddress::getPort).containsExactly(1000, 1001, 1002);
                    assertThat(got.addresses()).extracting(InetSocketAddress::getHostString)
                            .containsExactly("host-1000", "host-1001", "host-1002");
                }
            }
        }
    }

    @Test
    void aRetriedStageMeetsAgainAtTheSameTracker() {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, LONG)) {
            for (int attempt = 0; attempt < 2; attempt++) {
                List<CompletableFuture<float[]>> ranks = List.of(0, 1).stream().map(rank -> CompletableFuture.supplyAsync(() -> {
                    try (TcpCollective member = TcpCollective.join(rendezvous.address(), rank, 2,
                            new TcpCollective.Options(LOOPBACK, LONG))) {
                        float[] data = {rank + 1f};
                        member.allReduceSum(data);
                        return data;
                    }
                })).toList();
                assertThat(ranks).allSatisfy(rank -> assertThat(rank.join()).containsExactly(3f));
            }
        }
    }

    @Test
    void aRankThatRegistersAgainReplacesItsOlderRegistration() throws Exception {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, LONG)) {
            CompletableFuture<Rendezvous.Round> stale = registering(rendezvous, 0, 2, 1000, LONG);
            await(() -> rendezvous.registeredCount() == 1);
            CompletableFuture<Rendezvous.Round> retried = registering(rendezvous, 0, 2, 2000, LONG);
            assertThatThrownBy(() -> stale.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(CollectiveException.class).hasMessageContaining("rank 0 registered again");
            Rendezvous.Round round = registering(rendezvous, 1, 2, 2001, LONG).get(20, TimeUnit.SECONDS);
            assertThat(round.addresses()).extracting(InetSocketAddress::getPort).containsExactly(2000, 2001);
            assertThat(retried.get(20, TimeUnit.SECONDS)).isEqualTo(round);
        }
    }

    @Test
    void aRankOutsideTheWorldOrOfAnotherWorldSizeIsRefusedSayingWhy() {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, LONG)) {
            assertThatThrownBy(() -> Rendezvous.register(rendezvous.address(), 2, 2, fake(1000), LONG))
                    .isInstanceOf(CollectiveException.class).hasMessageEndingWith("refused rank 2: rank 2 is not in [0, 2)");
            assertThatThrownBy(() -> Rendezvous.register(rendezvous.address(), 0, 3, fake(1000), LONG))
                    .isInstanceOf(CollectiveException.class)
                    .hasMessageContaining("this rendezvous is for a world of 2 ranks; rank 0 registered for a world of 3");
            assertThat(rendezvous.registeredCount()).isZero();
        }
    }

    @Test
    void aRegistrationThatWaitsLongerThanTheTrackersTimeoutIsRefused() {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, Duration.ofMillis(300))) {
            assertThatThrownBy(() -> Rendezvous.register(rendezvous.address(), 1, 2, fake(1001), LONG))
                    .isInstanceOf(CollectiveException.class).hasMessageContaining("no full round within 300 ms");
            assertThat(rendezvous.registeredCount()).isZero();
        }
    }

    @Test
    void aRankThatGivesUpLeavesTheRound() throws Exception {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, LONG)) {
            assertThatThrownBy(() -> Rendezvous.register(rendezvous.address(), 0, 2, fake(1000), Duration.ofMillis(200)))
                    .isInstanceOf(CollectiveException.class).hasMessageContaining("rank 0 waited 200 ms at the rendezvous");
            await(() -> rendezvous.registeredCount() == 0);
            CompletableFuture<Rendezvous.Round> one = registering(rendezvous, 1, 2, 2001, LONG);
            await(() -> rendezvous.registeredCount() == 1);
            Rendezvous.Round round = registering(rendezvous, 0, 2, 2000, LONG).get(20, TimeUnit.SECONDS);
            assertThat(round.addresses()).extracting(InetSocketAddress::getPort).containsExactly(2000, 2001);
            assertThat(one.get(20, TimeUnit.SECONDS)).isEqualTo(round);
        }
    }

    @Test
    void aPeerThatClaimsAnotherRoundIsRefusedAndNamed() throws Exception {
        try (Rendezvous rendezvous = Rendezvous.start(LOOPBACK, 2, LONG);
                ServerSocketChannel fakeListener = ServerSocketChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
            CompletableFuture<TcpCollective> zero = CompletableFuture.supplyAsync(() -> TcpCollective.join(
                    rendezvous.address(), 0, 2, new TcpCollective.Options(LOOPBACK, Duration.ofSeconds(1))));
            InetSocketAddress fakeAddress = (InetSocketAddress) fakeListener.getLocalAddress();
            Rendezvous.Round round = Rendezvous.register(rendezvous.address(), 1, 2,
                    InetSocketAddress.createUnresolved(LOOPBACK, fakeAddress.getPort()), LONG);
            Rendezvous.Round later = new Rendezvous.Round(round.tracker(), round.number() + 1, round.addresses());
            try (SocketChannel stale = SocketChannel.open(round.addresses().get(0))) {
                stale.write(RingSetup.hello(later, 1, 2));
                ByteBuffer answer = ByteBuffer.allocate(RingSetup.HELLO_BYTES);
                while (answer.hasRemaining() && stale.read(answer) >= 0) {
                    // rank 0 answers with its own hello before it closes the connection
                }
                assertThat(RingSetup.mismatch(answer.flip().order(java.nio.ByteOrder.LITTLE_ENDIAN),
                        new RingSetup.Plan(1, 2, later, null, LONG), 0)).isEqualTo("rank 0 of round 1 (this ring is round 2)");
                assertThatThrownBy(zero::join).cause().isInstanceOfSatisfying(CollectiveException.class,
                        failure -> assertThat(failure.peer()).isEqualTo(1))
                        .hasMessageContaining("refused rank 1 of round 2 (this ring is round 1)");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
