package io.twa4j.core.collective;

import java.nio.ByteBuffer;

/**
 * The 32 bytes before every message between ring neighbours (little-endian): {@code kind, operation,
 * sequence (8 bytes), length, root, step, payloadBytes}. A data frame carries one chunk of a call's
 * floats; a report frame tells the next rank why this one failed.
 *
 * @param kind {@link #DATA} or {@link #REPORT}
 * @param operation the {@link Operation#code} of the call (0 in a report)
 * @param sequence the number of the call on the sender, counting from 1
 * @param length the number of floats the sender's call has
 * @param root the root of a broadcast, else 0
 * @param step the ring step, in [0, 2·(size − 1))
 * @param payloadBytes the number of bytes that follow the header
 */
record FrameHeader(int kind, int operation, long sequence, int length, int root, int step, int payloadBytes) {

    /** The size of a header on the wire. */
    static final int BYTES = 32;

    /** The kind of a frame that carries floats ("TWA1" in ASCII, little-endian). */
    static final int DATA = 0x31415754;

    /** The kind of a frame that carries a failure report ("TWA2"). */
    static final int REPORT = 0x32415754;

    /** A data frame's header. */
    static FrameHeader data(Operation operation, long sequence, int length, int root, int step, int payloadBytes) {
        return new FrameHeader(DATA, operation.code, sequence, length, root, step, payloadBytes);
    }

    /** Writes this header at {@code to}'s position. */
    void put(ByteBuffer to) {
        to.putInt(kind).putInt(operation).putLong(sequence).putInt(length).putInt(root).putInt(step).putInt(payloadBytes);
    }

    /** Reads a header at {@code from}'s position. */
    static FrameHeader get(ByteBuffer from) {
        return new FrameHeader(from.getInt(), from.getInt(), from.getLong(), from.getInt(), from.getInt(),
                from.getInt(), from.getInt());
    }

    /** The call this data header belongs to, as in "broadcast of 7 floats from rank 2 (call 5, step 1)". */
    String describe() {
        Operation op = Operation.ofCode(operation);
        String what = op == null ? "an unknown operation (code " + operation + ")" : op.describe(length, root);
        return what + " (call " + sequence + ", step " + (step + 1) + ")";
    }
}
