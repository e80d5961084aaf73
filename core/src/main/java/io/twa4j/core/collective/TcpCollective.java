package io.twa4j.core.collective;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A rank of a group of workers that talk over TCP: each rank listens, meets the others at a {@link
 * Rendezvous}, connects to the next rank and accepts the previous one, forming a ring.
 *
 * <p>{@link #allReduceSum} is the ring all-reduce: the floats are cut into {@code size} chunks
 * ({@code chunk c = [⌊c·n/size⌋, ⌊(c+1)·n/size⌋)}); in {@code size − 1} reduce-scatter steps each
 * rank sends one chunk to the next rank and adds the chunk it receives into its own, so that chunk
 * {@code c}'s sum {@code (((x_c + x_{c+1}) + x_{c+2}) + …)} (ranks in ring order, in float32) is
 * computed by one rank only; in {@code size − 1} all-gather steps the finished chunks are copied
 * round the ring. Every rank ends with the same bits, within {@code (size − 1)·2⁻²⁴·Σ_r|x_r[i]|}
 * of the exact sum. Each rank sends and receives {@code 2·(size − 1)/size·n} floats per call.
 * {@link #broadcast} runs the same steps, with the root's chunk taking the place of the sum (the
 * bits are the root's); {@link #barrier} runs them on no floats.
 *
 * <p>Every message carries a header {@code (operation, call number, length, root, step)} that the
 * receiver checks, so ranks that disagree fail naming each other instead of reading garbage. Every
 * wait has the timeout of the {@link Options}; a peer that closes, dies or disagrees ends the call
 * at once, a stopped one (or one that does not call) after the timeout and a grace period of
 * {@code min(timeout/2, 2 s)} in which the ranks pass the failure round the ring, so that every
 * rank names the same peer. After a failure the collective is broken: later calls fail at once.
 * Floats travel little-endian through direct buffers kept from call to call.
 */
public final class TcpCollective implements Collective {

    /**
     * How a rank joins.
     *
     * @param bindHost the address this rank listens on, which the others connect to
     * @param timeout how long any wait lasts: for the rendezvous, a connection, or one ring step
     */
    public record Options(String bindHost, Duration timeout) {

        /** Checks that the host is given and the timeout positive. */
        public Options {
            Objects.requireNonNull(bindHost, "bindHost");
            Objects.requireNonNull(timeout, "timeout");
            if (bindHost.isBlank()) {
                throw new IllegalArgumentException("the bind host is blank");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
            }
        }

        /** This machine's address (the first non-loopback IPv4 address when its name resolves to loopback) and 60 s. */
        public static Options defaults() {
            return new Options(machineHost(), Duration.ofSeconds(60));
        }

        /** These options with another timeout. */
        public Options withTimeout(Duration other) {
            return new Options(bindHost, other);
        }
    }

    /** One call as the ring runs it: what, on which floats, from which root, and its number on this rank. */
    private record Call(Operation operation, float[] data, int root, long sequence) {}

    private static final int MIN_BUFFER_BYTES = 4096;
    private static final long MAX_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final int rank;
    private final int size;
    private final Ring ring;
    private final long graceNanos;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CollectiveException broken;
    private boolean released;
    private long calls;
    private ByteBuffer sendBytes;
    private ByteBuffer receiveBytes;
    private FloatBuffer sendFloats;
    private FloatBuffer receiveFloats;

    private TcpCollective(int rank, int size, Ring ring, Duration timeout) {
        this.rank = rank;
        this.size = size;
        this.ring = ring;
        this.graceNanos = Math.min(timeout.toNanos() / 2, MAX_GRACE_NANOS);
    }

    /**
     * Joins the world of {@code size} ranks that meet at {@code rendezvous}, as {@code rank}:
     * returns once the ring is connected. A world of one needs no network (the rendezvous may be
     * null and is not contacted).
     *
     * @throws CollectiveException when the rendezvous or a neighbour cannot be reached, refuses, or is of another round
     */
    public static TcpCollective join(InetSocketAddress rendezvous, int rank, int size, Options options) {
        Objects.requireNonNull(options, "options");
        if (size < 1) {
            throw new IllegalArgumentException("a world needs at least one rank, got " + size);
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is not in [0, " + size + ")");
        }
        if (size == 1) {
            return new TcpCollective(0, 1, null, options.timeout());
        }
        Objects.requireNonNull(rendezvous, "rendezvous");
        ServerSocketChannel listener = listen(rank, size, options.bindHost());
        try {
            InetSocketAddress self = advertised(listener, options.bindHost());
            Rendezvous.Round round = Rendezvous.register(rendezvous, rank, size, self, options.timeout());
            Ring ring = RingSetup.connect(new RingSetup.Plan(rank, size, round, listener, options.timeout()));
            return new TcpCollective(rank, size, ring, options.timeout());
        } catch (RuntimeException e) {
            try {
                listener.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * The {@code size} ranks of a new world on this machine's loopback, each its own TcpCollective
     * with the given timeout, by rank (for benchmarks and tests); each must then be used by its own
     * thread.
     */
    public static List<Collective> loopbackGroup(int size, Duration timeout) {
        Options options = new Options(InetAddress.getLoopbackAddress().getHostAddress(), timeout);
        ExecutorService joiners = Executors.newFixedThreadPool(size);
        List<Future<TcpCollective>> joins = new ArrayList<>();
        try (Rendezvous rendezvous = Rendezvous.start(options.bindHost(), size, timeout)) {
            for (int r = 0; r < size; r++) {
                int joining = r;
                joins.add(joiners.submit(() -> join(rendezvous.address(), joining, size, options)));
            }
            return Collections.unmodifiableList(collect(joins));
        } finally {
            joiners.shutdownNow();
        }
    }

    private static List<Collective> collect(List<Future<TcpCollective>> joins) {
        List<Collective> members = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<TcpCollective> join : joins) {
            try {
                members.add(join.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause() instanceof RuntimeException r ? r
                        : new CollectiveException(-1, "joining failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new CollectiveException(-1, "interrupted while the ranks joined");
                break;
            }
        }
        if (failure != null) {
            members.forEach(Collective::close);
            throw failure;
        }
        return members;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void barrier() {
        call(Operation.BARRIER, new float[0], 0);
    }

    @Override
    public void broadcast(float[] data, int root) {
        Objects.requireNonNull(data, "data");
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("root " + root + " is not a rank of a world of " + size);
        }
        call(Operation.BROADCAST, data, root);
    }

    @Override
    public void allReduceSum(float[] data) {
        Objects.requireNonNull(data, "data");
        call(Operation.ALL_REDUCE_SUM, data, 0);
    }

    private void call(Operation operation, float[] data, int root) {
        if (!busy.compareAndSet(false, true)) {
            throw new CollectiveException(rank, "rank " + rank + " made a collective call while another was running");
        }
        try {
            if (closed.get()) {
                throw new CollectiveException(rank, "rank " + rank + " has left the group");
            }
            CollectiveException failed = broken;
            if (failed != null) {
                throw new CollectiveException(failed.peer(), failed.getMessage(), failed);
            }
            if (ring != null) {
                ringCall(operation, data, root);
            }
        } finally {
            busy.set(false);
            if (closed.get()) {
                release(); // close() came during the call
            }
        }
    }

    private void ringCall(Operation operation, float[] data, int root) {
        Call call = new Call(operation, data, root, ++calls);
        reserve((data.length + size - 1) / size * Float.BYTES);
        try {
            for (int step = 0; step < 2 * (size - 1); step++) {
                step(call, step);
            }
        } catch (RingFailure found) {
            throw breakWith(found, call);
        }
    }

    /** One ring step: send one chunk to the next rank, receive one from the previous rank, and combine it. */
    private void step(Call call, int step) throws RingFailure {
        float[] data = call.data();
        boolean scatter = step < size - 1;
        int phase = scatter ? step : step - (size - 1);
        int sent = Math.floorMod(scatter ? rank - phase : rank + 1 - phase, size);
        int received = Math.floorMod(scatter ? rank - phase - 1 : rank - phase, size);
        int sentFrom = chunkStart(data.length, sent);
        int sentLength = chunkStart(data.length, sent + 1) - sentFrom;
        int receivedFrom = chunkStart(data.length, received);
        int receivedLength = chunkStart(data.length, received + 1) - receivedFrom;
        sendFloats.put(0, data, sentFrom, sentLength);
        sendBytes.clear().limit(sentLength * Float.BYTES);
        receiveBytes.clear().limit(receivedLength * Float.BYTES);
        ring.exchange(header(call, step, sentLength), sendBytes, header(call, step, receivedLength), receiveBytes);
        if (scatter && call.operation() == Operation.ALL_REDUCE_SUM) {
            for (int i = 0; i < receivedLength; i++) {
                data[receivedFrom + i] += receiveFloats.get(i);
            }
        } else if (!(scatter && rank == call.root())) {
            receiveFloats.get(0, data, receivedFrom, receivedLength);
        }
    }

    private static FrameHeader header(Call call, int step, int floats) {
        return FrameHeader.data(call.operation(), call.sequence(), call.data().length, call.root(), step, floats * Float.BYTES);
    }

    private int chunkStart(int length, int chunk) {
        return (int) ((long) length * chunk / size);
    }

    /** Direct buffers of at least {@code bytes}, kept from call to call. */
    private void reserve(int bytes) {
        if (sendBytes != null && sendBytes.capacity() >= bytes) {
            return;
        }
        int capacity = Math.max(MIN_BUFFER_BYTES, bytes);
        sendBytes = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        receiveBytes = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        sendFloats = sendBytes.asFloatBuffer();
        receiveFloats = receiveBytes.asFloatBuffer();
    }

    /** Tells the ring, settles who is at fault, and leaves the collective broken. */
    private CollectiveException breakWith(RingFailure found, Call call) {
        long graceDeadline = System.nanoTime() + graceNanos;
        ring.report(found, graceDeadline);
        RingFailure settled = found.suspicion ? ring.awaitReports(found, graceDeadline) : found;
        String source = settled.detector == rank ? "" : " (as rank " + settled.detector + " reported)";
        CollectiveException failure = new CollectiveException(settled.peer, call.operation().title + " call " + call.sequence()
                + " failed on rank " + rank + source + ": " + settled.getMessage(), settled.getCause());
        broken = failure;
        release();
        return failure;
    }

    /** Leaves the group; peers still calling, or calling later, get an error naming this rank. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (busy.compareAndSet(false, true)) {
            try {
                release();
            } finally {
                busy.set(false);
            }
        } else if (ring != null) {
            ring.stop();
        }
    }

    /** Closes the ring (after telling the next rank, unless a failure was reported already) and drops the buffers. */
    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        if (ring != null) {
            if (broken == null) {
                ring.report(RingFailure.certain(rank, rank, "rank " + rank + " left the group"), System.nanoTime() + graceNanos);
            }
            ring.close();
        }
        sendBytes = receiveBytes = null;
        sendFloats = receiveFloats = null;
    }

    private static ServerSocketChannel listen(int rank, int size, String bindHost) {
        try {
            ServerSocketChannel listener = ServerSocketChannel.open();
            try {
                listener.bind(new InetSocketAddress(bindHost, 0), size);
                listener.configureBlocking(false);
                return listener;
            } catch (IOException | RuntimeException e) {
                listener.close();
                throw e;
            }
        } catch (IOException e) {
            throw new CollectiveException(rank, "rank " + rank + " cannot listen on " + bindHost + ": " + e.getMessage(), e);
        }
    }

    /** The address peers connect to: the bound one, or this machine's when bound to every interface. */
    private static InetSocketAddress advertised(ServerSocketChannel listener, String bindHost) {
        try {
            InetSocketAddress bound = (InetSocketAddress) listener.getLocalAddress();
            String host = bound.getAddress().isAnyLocalAddress() ? machineHost() : bound.getAddress().getHostAddress();
            return InetSocketAddress.createUnresolved(host, bound.getPort());
        } catch (IOException e) {
            throw new CollectiveException(-1, "cannot read the address bound on " + bindHost + ": " + e.getMessage(), e);
        }
    }

    /** This machine's address as others see it: its name's address, or the first non-loopback IPv4 address. */
    static String machineHost() {
        try {
            InetAddress local = InetAddress.getLocalHost();
            if (!local.isLoopbackAddress()) {
                return local.getHostAddress();
            }
        } catch (UnknownHostException e) {
            // fall back on the interfaces
        }
        try {
            for (NetworkInterface face : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (face.isUp() && !face.isLoopback()) {
                    for (InetAddress address : Collections.list(face.getInetAddresses())) {
                        if (address instanceof Inet4Address) {
                            return address.getHostAddress();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            // fall back on loopback
        }
        return InetAddress.getLoopbackAddress().getHostAddress();
    }
}
