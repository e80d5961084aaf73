package io.twa4j.core.params;

import java.nio.FloatBuffer;
import java.util.Arrays;

/** {@link FlatFloats#joined}: pieces one after another. */
final class JoinedFloats implements FlatFloats {
    private final long[] starts;
    private final FloatBuffer[] pieces;
    private final long size;

    JoinedFloats(long[] starts, FloatBuffer[] pieces) {
        if (starts.length != pieces.length) {
            throw new IllegalArgumentException(starts.length + " starts for " + pieces.length + " pieces");
        }
        long end = 0;
        for (int i = 0; i < pieces.length; i++) {
            if (starts[i] != end) {
                throw new IllegalArgumentException("piece " + i + " starts at " + starts[i] + ", not at " + end);
            }
            end += pieces[i].capacity();
        }
        this.starts = starts;
        this.pieces = pieces;
        this.size = end;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void get(long from, float[] into, int at, int length) {
        eachPiece(from, at, length, (piece, inPiece, to, count) -> piece.get(inPiece, into, to, count));
    }

    @Override
    public void put(long from, float[] values, int at, int length) {
        eachPiece(from, at, length, (piece, inPiece, to, count) -> piece.put(inPiece, values, to, count));
    }

    /** One piece's share of a range: {@code count} entries from {@code inPiece}, at {@code at} of the caller's array. */
    private interface Share {
        void copy(FloatBuffer piece, int inPiece, int at, int count);
    }

    /** Hands {@code share} each piece's part of entries {@code [from, from + length)}, in order. */
    private void eachPiece(long from, int at, int length, Share share) {
        check(from, length);
        for (int i = piece(from); length > 0; i++) {
            int inPiece = (int) (from - starts[i]);
            int count = Math.min(length, pieces[i].capacity() - inPiece);
            share.copy(pieces[i], inPiece, at, count);
            from += count;
            at += count;
            length -= count;
        }
    }

    private void check(long from, int length) {
        if (from < 0 || length < 0 || from + length > size) {
            throw new IndexOutOfBoundsException("entries [" + from + ", " + (from + length) + ") of " + size);
        }
    }

    /** The last piece that starts at or before {@code entry} and holds it (empty pieces are skipped). */
    private int piece(long entry) {
        int found = Arrays.binarySearch(starts, entry);
        int i = found >= 0 ? found : -found - 2;
        while (i < pieces.length - 1 && starts[i] + pieces[i].capacity() <= entry) {
            i++;
        }
        return i;
    }
}
