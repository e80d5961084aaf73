package io.twa4j.core.collective;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Connects a rank to its ring neighbours: to the next rank, and from the previous one. Each side
 * of a connection says who it is with a hello {@code (magic, tracker, round, rank, size)}, and each
 * side checks the other's, so ranks of different rounds (a retried stage next to a stale task)
 * never form a ring together.
 */
final class RingSetup {

    /** What a rank needs to join its ring: its place, the round, its listening socket and the timeout. */
    record Plan(int rank, int size, Rendezvous.Round round, ServerSocketChannel listener, Duration timeout) {

        int next() {
            return (rank + 1) % size;
        }

        int previous() {
            return Math.floorMod(rank - 1, size);
        }
    }

    /** The first field of a hello ("TWA3" in ASCII, little-endian). */
    static final int HELLO = 0x33415754;

    /** The size of a hello on the wire. */
    static final int HELLO_BYTES = 28;

    private RingSetup() {}

    /** The ring of {@code plan}'s rank, connected and checked within the timeout; the listener is closed. */
    static Ring connect(Plan plan) {
        long deadline = System.nanoTime() + plan.timeout().toNanos();
        SocketChannel out = null;
        SocketChannel in = null;
        try (Selector selector = Selector.open(); ServerSocketChannel listener = plan.listener()) {
            out = dial(plan, selector, deadline);
            write(out, hello(plan.round(), plan.rank(), plan.size()), selector, deadline);
            in = acceptPrevious(plan, selector, deadline);
            checkAnswer(plan, out, selector, deadline);
            return new Ring(plan.rank(), plan.size(), in, out, plan.timeout());
        } catch (IOException e) {
            closeQuietly(in);
            closeQuietly(out);
            throw new CollectiveException(plan.rank(), "rank " + plan.rank() + " could not set up its ring: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(in);
            closeQuietly(out);
            throw e;
        }
    }

    /** A hello saying that {@code rank} of a world of {@code size} is in {@code round}. */
    static ByteBuffer hello(Rendezvous.Round round, int rank, int size) {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        hello.putInt(HELLO).putLong(round.tracker()).putLong(round.number()).putInt(rank).putInt(size);
        return hello.flip();
    }

    /** Why {@code hello} is not from {@code rank} of {@code plan}'s world and round, or null when it is. */
    static String mismatch(ByteBuffer hello, Plan plan, int rank) {
        if (hello.getInt() != HELLO) {
            return "a connection that is not from a twa4j peer";
        }
        long tracker = hello.getLong();
        long round = hello.getLong();
        int claimed = hello.getInt();
        int size = hello.getInt();
        if (tracker != plan.round().tracker()) {
            return "rank " + claimed + " of another rendezvous";
        }
        if (round != plan.round().number()) {
            return "rank " + claimed + " of round " + round + " (this ring is round " + plan.round().number() + ")";
        }
        if (claimed != rank || size != plan.size()) {
            return "rank " + claimed + " of a world of " + size + " (expected rank " + rank + " of " + plan.size() + ")";
        }
        return null;
    }

    private static SocketChannel dial(Plan plan, Selector selector, long deadline) throws IOException {
        InetSocketAddress address = plan.round().addresses().get(plan.next());
        if (address.isUnresolved()) {
            throw new CollectiveException(plan.next(), "rank " + plan.rank() + " cannot resolve the host of rank "
                    + plan.next() + ", " + address.getHostString());
        }
        SocketChannel channel = SocketChannel.open();
        try {
            configure(channel);
            if (!channel.connect(address)) {
                while (!channel.finishConnect()) {
                    await(channel, SelectionKey.OP_CONNECT, selector, deadline);
                }
            }
            return channel;
        } catch (IOException e) {
            channel.close();
            String why = e instanceof SocketTimeoutException ? "no answer within " + millis(plan) + " ms" : e.getMessage();
            throw new CollectiveException(plan.next(), "rank " + plan.rank() + " could not connect to rank " + plan.next()
                    + " at " + address + ": " + why, e);
        }
    }

    /** The connection from the previous rank of this round; connections of others are answered and closed. */
    private static SocketChannel acceptPrevious(Plan plan, Selector selector, long deadline) throws IOException {
        List<String> refused = new ArrayList<>();
        try {
            while (true) {
                SocketChannel candidate = plan.listener().accept();
                if (candidate == null) {
                    await(plan.listener(), SelectionKey.OP_ACCEPT, selector, deadline);
                    continue;
                }
                try {
                    configure(candidate);
                    String wrong = mismatch(read(candidate, selector, deadline), plan, plan.previous());
                    write(candidate, hello(plan.round(), plan.rank(), plan.size()), selector, deadline);
                    if (wrong == null) {
                        return candidate;
                    }
                    refused.add(wrong);
                    candidate.close();
                } catch (EOFException e) {
                    candidate.close();
                } catch (IOException | RuntimeException e) {
                    candidate.close();
                    throw e;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new CollectiveException(plan.previous(), "rank " + plan.rank() + " waited " + millis(plan) + " ms for rank "
                    + plan.previous() + " to connect" + (refused.isEmpty() ? "" : "; it refused " + String.join(", ", refused)), e);
        }
    }

    private static void checkAnswer(Plan plan, SocketChannel out, Selector selector, long deadline) throws IOException {
        String wrong;
        try {
            wrong = mismatch(read(out, selector, deadline), plan, plan.next());
        } catch (SocketTimeoutException | EOFException e) {
            throw new CollectiveException(plan.next(), "rank " + plan.next() + " did not answer the connection of rank "
                    + plan.rank() + " within " + millis(plan) + " ms (stopped, or a rank of another round)", e);
        }
        if (wrong != null) {
            throw new CollectiveException(plan.next(), "rank " + plan.rank() + " connected to rank " + plan.next()
                    + "'s address and found " + wrong);
        }
    }

    private static void configure(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    private static ByteBuffer read(SocketChannel channel, Selector selector, long deadline) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (hello.hasRemaining()) {
            int read = channel.read(hello);
            if (read < 0) {
                throw new EOFException("the connection closed during the hello");
            }
            if (read == 0) {
                await(channel, SelectionKey.OP_READ, selector, deadline);
            }
        }
        return hello.flip();
    }

    private static void write(SocketChannel channel, ByteBuffer bytes, Selector selector, long deadline) throws IOException {
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) {
                await(channel, SelectionKey.OP_WRITE, selector, deadline);
            }
        }
    }

    /** Waits until {@code channel} is ready for {@code operation}, or throws a timeout at the deadline. */
    private static void await(SelectableChannel channel, int operation, Selector selector, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            key = channel.register(selector, operation);
        } else {
            key.interestOps(operation);
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        selector.selectedKeys().clear();
        key.interestOps(0);
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while setting up the ring");
        }
    }

    private static long millis(Plan plan) {
        return plan.timeout().toMillis();
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing after a failure: nothing is left to do with it
            }
        }
    }
}
