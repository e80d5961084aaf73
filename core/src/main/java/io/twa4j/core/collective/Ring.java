package io.twa4j.core.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One rank's two links in the ring: a connection to the next rank, which it only sends on, and one
 * from the previous rank, which it only reads. Both are non-blocking and served by one selector,
 * so a rank sends and receives at once (two ranks sending large chunks to each other cannot
 * deadlock), and every wait has a deadline.
 *
 * <p>When a call fails, the rank {@linkplain #report reports} why to the next rank, which passes
 * it on. A rank whose failure is only a suspicion (a timeout) then {@linkplain #awaitReports
 * listens} a while for a report from the previous rank: the rank it waited for may itself be
 * waiting for one before it, and that rank's report names the one that really stopped. The wait
 * that times out first is the one right after the stopped rank (each wait's deadline is set before
 * the rank sends, and every other waiting rank started its wait after bytes that the rank before
 * it sent later), so a grace period longer than a report's trip round the ring lets every rank
 * name the same peer. That holds while frames fit in the sockets' buffers; with larger chunks a
 * rank stuck sending names the rank it sends to, which is the stopped one or next to it.
 */
final class Ring implements AutoCloseable {

    private final int rank;
    private final int size;
    private final int previous;
    private final int next;
    private final long timeoutNanos;
    private final Selector selector;
    private final SocketChannel in;
    private final SocketChannel out;
    private final SelectionKey inKey;
    private final SelectionKey outKey;
    private final FrameReader reader;
    private final ByteBuffer outHeader = ByteBuffer.allocateDirect(FrameHeader.BYTES).order(ByteOrder.LITTLE_ENDIAN);

    /** What is left to write of the frame being sent. */
    private ByteBuffer[] pending = {};

    private volatile boolean stopRequested;
    private boolean closed;

    /** A ring over connected, non-blocking channels: {@code in} from the previous rank, {@code out} to the next. */
    Ring(int rank, int size, SocketChannel in, SocketChannel out, Duration timeout) throws IOException {
        this.rank = rank;
        this.size = size;
        this.previous = Math.floorMod(rank - 1, size);
        this.next = (rank + 1) % size;
        this.timeoutNanos = timeout.toNanos();
        this.in = in;
        this.out = out;
        this.selector = Selector.open();
        try {
            this.inKey = in.register(selector, SelectionKey.OP_READ);
            this.outKey = out.register(selector, 0);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        this.reader = new FrameReader(in, rank, size);
    }

    /**
     * Sends {@code header} and {@code payload}'s position..limit to the next rank while receiving,
     * from the previous rank, a frame that must have the header {@code expected}, its payload into
     * {@code into}'s position..limit; returns once both are complete, within the timeout.
     */
    void exchange(FrameHeader header, ByteBuffer payload, FrameHeader expected, ByteBuffer into) throws RingFailure {
        long deadline = System.nanoTime() + timeoutNanos;
        outHeader.clear();
        header.put(outHeader);
        pending = new ByteBuffer[] {outHeader.flip(), payload};
        reader.expect(expected, into);
        boolean received = false;
        while (true) {
            boolean sent = writeSome();
            if (!received) {
                FrameReader.Progress progress = reader.readSome();
                if (progress == FrameReader.Progress.REPORT) {
                    throw reader.report();
                }
                received = progress == FrameReader.Progress.DATA;
            }
            if (sent && received) {
                return;
            }
            if (!await(deadline, !sent, !received)) {
                throw timedOut(received, expected);
            }
        }
    }

    private RingFailure timedOut(boolean received, FrameHeader expected) {
        long millis = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        String at = " at step " + (expected.step() + 1) + " of " + 2 * (size - 1);
        if (received) {
            return RingFailure.suspected(next, rank, "rank " + rank + " waited " + millis + " ms for rank " + next
                    + " to take its data" + at + " (rank " + next + ", or one after it, is stopped or gone)");
        }
        if (!reader.betweenFrames()) {
            return RingFailure.certain(previous, rank, "rank " + rank + " waited " + millis + " ms for rank " + previous
                    + at + ": it stopped in the middle of a message (stopped, or its network is down)");
        }
        return RingFailure.suspected(previous, rank, "rank " + rank + " waited " + millis + " ms for rank " + previous
                + at + ": nothing came (rank " + previous + " is stopped, gone or not calling)");
    }

    /** Writes what the next rank takes now; whether the frame is complete. */
    private boolean writeSome() throws RingFailure {
        if (!hasRemaining(pending)) {
            return true;
        }
        try {
            out.write(pending);
        } catch (IOException e) {
            throw new RingFailure(next, true, rank, "rank " + rank + " could not send to rank " + next + " ("
                    + e.getMessage() + "): rank " + next + " died or left", e);
        }
        return !hasRemaining(pending);
    }

    private static boolean hasRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer buffer : buffers) {
            if (buffer.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits until a link is ready for what is wanted; false once the deadline has passed.
     *
     * @throws RingFailure when {@link #stop} was called (once) or the thread was interrupted
     */
    private boolean await(long deadline, boolean write, boolean read) throws RingFailure {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        outKey.interestOps(write ? SelectionKey.OP_WRITE : 0);
        inKey.interestOps(read ? SelectionKey.OP_READ : 0);
        try {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (IOException e) {
            throw new RingFailure(rank, false, rank, "rank " + rank + "'s selector failed: " + e.getMessage(), e);
        }
        selector.selectedKeys().clear();
        if (stopRequested) {
            stopRequested = false;
            throw RingFailure.certain(rank, rank, "rank " + rank + " left the group (it closed during the call)");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw RingFailure.certain(rank, rank, "rank " + rank + " was interrupted in a collective call");
        }
        return true;
    }

    /**
     * Tells the next rank about {@code failure}, best effort, before {@code deadline}: the frame
     * being sent is completed first, so the report arrives where a header is expected.
     */
    void report(RingFailure failure, long deadline) {
        ByteBuffer payload = failure.encode();
        ByteBuffer head = ByteBuffer.allocate(FrameHeader.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        new FrameHeader(FrameHeader.REPORT, 0, 0, 0, 0, 0, payload.remaining()).put(head);
        try {
            if (flush(deadline)) {
                pending = new ByteBuffer[] {head.flip(), payload};
                flush(deadline);
            }
        } catch (RingFailure gone) {
            // the next rank cannot be told: it will find this rank's connection closed
        }
    }

    private boolean flush(long deadline) throws RingFailure {
        while (!writeSome()) {
            if (!await(deadline, true, false)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Listens until {@code deadline} for reports from the previous rank, which replace the
     * suspicion {@code current} and are passed on to the next rank; returns the last one (a
     * certain report ends the wait), or {@code current} when none came.
     */
    RingFailure awaitReports(RingFailure current, long deadline) {
        reader.listen();
        RingFailure settled = current;
        try {
            while (true) {
                if (reader.readSome() == FrameReader.Progress.REPORT && reader.report().detector != rank) {
                    settled = reader.report();
                    report(settled, deadline);
                    if (!settled.suspicion) {
                        return settled;
                    }
                } else if (!await(deadline, false, true)) {
                    return settled;
                }
            }
        } catch (RingFailure closedOrStopped) {
            return settled;
        }
    }

    /** Ends the call under way on another thread: it fails, saying that this rank left. */
    synchronized void stop() {
        if (!closed) {
            stopRequested = true;
            selector.wakeup();
        }
    }

    /** Closes both links; the neighbours find them closed. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(selector);
        closeQuietly(in);
        closeQuietly(out);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing: nothing is left to do with it
        }
    }
}
