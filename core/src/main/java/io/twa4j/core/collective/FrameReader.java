package io.twa4j.core.collective;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * Reads the frames that the previous rank sends, as far as they have arrived, without blocking.
 * Each data frame's header is checked against the one this rank expects before its payload is
 * read, so a peer that disagrees (another operation, length, root, call or step) is named, never
 * read as floats.
 */
final class FrameReader {

    /** How far {@link #readSome} got. */
    enum Progress {
        /** The frame has not fully arrived yet. */
        INCOMPLETE,
        /** The expected data frame has arrived, its payload in the target buffer. */
        DATA,
        /** A report has arrived: {@link #report()}. */
        REPORT
    }

    private final SocketChannel channel;
    private final int rank;
    private final int previous;
    private final int size;
    private final ByteBuffer header = ByteBuffer.allocateDirect(FrameHeader.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer discard = ByteBuffer.allocateDirect(1 << 16);

    /** The data header this rank expects next, or null while it only listens for reports. */
    private FrameHeader expected;
    private ByteBuffer dataTarget;

    /** The header of the frame being read, or null while a header is being read. */
    private FrameHeader current;
    private ByteBuffer payload;
    private long skipping;
    private RingFailure report;

    FrameReader(SocketChannel channel, int rank, int size) {
        this.channel = channel;
        this.rank = rank;
        this.previous = Math.floorMod(rank - 1, size);
        this.size = size;
    }

    /** The next data frame must have {@code expected}'s header; its payload goes into {@code target}'s position..limit. */
    void expect(FrameHeader expected, ByteBuffer target) {
        this.expected = expected;
        this.dataTarget = target;
    }

    /** From now on data frames are read past (a frame under way still completes); only reports count. */
    void listen() {
        this.expected = null;
    }

    /** Whether no byte of a frame is waiting to be completed. */
    boolean betweenFrames() {
        return current == null && header.position() == 0;
    }

    /** The failure of the last {@link Progress#REPORT}. */
    RingFailure report() {
        return report;
    }

    /** Reads what has arrived. */
    Progress readSome() throws RingFailure {
        while (true) {
            if (current == null) {
                if (!fill(header)) {
                    return Progress.INCOMPLETE;
                }
                header.flip();
                current = FrameHeader.get(header);
                header.clear();
                begin(current);
            }
            if (!fillPayload()) {
                return Progress.INCOMPLETE;
            }
            FrameHeader done = current;
            current = null;
            if (done.kind() == FrameHeader.REPORT) {
                report = RingFailure.decode(payload.flip(), size);
                if (report == null) {
                    throw RingFailure.certain(previous, rank, "rank " + previous + " sent a report that is not one");
                }
                return Progress.REPORT;
            }
            if (expected != null && payload == dataTarget) {
                return Progress.DATA;
            }
        }
    }

    /** Checks a header that has just arrived and says where its payload goes. */
    private void begin(FrameHeader frame) throws RingFailure {
        payload = null;
        skipping = 0;
        if (frame.kind() == FrameHeader.REPORT) {
            int bytes = frame.payloadBytes();
            if (bytes < RingFailure.REPORT_PREFIX_BYTES || bytes > RingFailure.REPORT_PREFIX_BYTES + RingFailure.MAX_DETAIL_BYTES) {
                throw RingFailure.certain(previous, rank, "rank " + previous + " sent a report of " + bytes + " bytes");
            }
            payload = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        } else if (frame.kind() != FrameHeader.DATA || frame.payloadBytes() < 0) {
            throw RingFailure.certain(previous, rank, "rank " + previous + " sent bytes that are not a twa4j frame (kind 0x"
                    + Integer.toHexString(frame.kind()) + "): not a peer of this ring, or a corrupt stream");
        } else if (expected == null) {
            skipping = frame.payloadBytes();
        } else if (!frame.equals(expected)) {
            throw RingFailure.certain(previous, rank, "rank " + previous + " sent " + frame.describe()
                    + " while rank " + rank + " is in " + expected.describe());
        } else {
            payload = dataTarget;
        }
    }

    private boolean fillPayload() throws RingFailure {
        if (payload != null) {
            return fill(payload);
        }
        while (skipping > 0) {
            discard.clear().limit((int) Math.min(discard.capacity(), skipping));
            int read = read(discard);
            if (read == 0) {
                return false;
            }
            skipping -= read;
        }
        return true;
    }

    /** Reads into {@code buffer} until it is full or nothing more has arrived; whether it is full. */
    private boolean fill(ByteBuffer buffer) throws RingFailure {
        while (buffer.hasRemaining()) {
            if (read(buffer) == 0) {
                return false;
            }
        }
        return true;
    }

    private int read(ByteBuffer buffer) throws RingFailure {
        int read;
        try {
            read = channel.read(buffer);
        } catch (IOException e) {
            throw new RingFailure(previous, false, rank, "the connection from rank " + previous + " failed ("
                    + e.getMessage() + "): rank " + previous + " died or its machine is unreachable", e);
        }
        if (read < 0) {
            throw RingFailure.certain(previous, rank, "rank " + previous + " closed the connection"
                    + (betweenFrames() ? "" : " in the middle of a message") + " (it died, or left without a word)");
        }
        return read;
    }
}
