package io.twa4j.core.collective;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Why a ring call failed, as one rank found it: the rank at fault, the rank that found it, and
 * whether that is only a suspicion. A timeout is a suspicion (the rank waited for may itself be
 * waiting for one before it); a closed connection, a disagreeing header or a peer that left are
 * not. Ranks pass failures on to the next rank as report frames, so every rank can name the same
 * peer.
 */
final class RingFailure extends Exception {

    /** The longest detail a report carries, in bytes. */
    static final int MAX_DETAIL_BYTES = 4096;

    /** The bytes of a report's payload before the detail: peer, suspicion, detector, detail length. */
    static final int REPORT_PREFIX_BYTES = 16;

    /** The rank at fault, or -1 when no single rank is. */
    final int peer;

    /** Whether this was concluded from a timeout. */
    final boolean suspicion;

    /** The rank that found the failure. */
    final int detector;

    RingFailure(int peer, boolean suspicion, int detector, String detail, Throwable cause) {
        super(detail, cause);
        this.peer = peer;
        this.suspicion = suspicion;
        this.detector = detector;
    }

    /** A failure found by {@code detector} itself that is not a suspicion. */
    static RingFailure certain(int peer, int detector, String detail) {
        return new RingFailure(peer, false, detector, detail, null);
    }

    /** A failure found by {@code detector} from a timeout. */
    static RingFailure suspected(int peer, int detector, String detail) {
        return new RingFailure(peer, true, detector, detail, null);
    }

    /** This failure as the payload of a report frame (little-endian). */
    ByteBuffer encode() {
        byte[] detail = getMessage().getBytes(StandardCharsets.UTF_8);
        int length = Math.min(detail.length, MAX_DETAIL_BYTES);
        ByteBuffer payload = ByteBuffer.allocate(REPORT_PREFIX_BYTES + length).order(ByteOrder.LITTLE_ENDIAN);
        payload.putInt(peer).putInt(suspicion ? 1 : 0).putInt(detector).putInt(length).put(detail, 0, length);
        return payload.flip();
    }

    /**
     * The failure a report frame's payload describes, or null when the payload is not a report.
     *
     * @param payload the payload, from position to limit
     * @param size the number of ranks, to check the ranks named
     */
    static RingFailure decode(ByteBuffer payload, int size) {
        if (payload.remaining() < REPORT_PREFIX_BYTES) {
            return null;
        }
        int peer = payload.getInt();
        int suspicion = payload.getInt();
        int detector = payload.getInt();
        int length = payload.getInt();
        if (peer < -1 || peer >= size || detector < 0 || detector >= size || (suspicion & ~1) != 0
                || length != payload.remaining()) {
            return null;
        }
        byte[] detail = new byte[length];
        payload.get(detail);
        return new RingFailure(peer, suspicion == 1, detector, new String(detail, StandardCharsets.UTF_8), null);
    }
}
