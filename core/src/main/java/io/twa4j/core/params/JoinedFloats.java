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
        check(from, length);
        for (int i = piece(from); length > 0; i++) {
            int inPiece = (int) (from - starts[i]);
            int taken = Math.min(length, pieces[i].capacity() - inPiece);
            pieces[i].get(inPiece, into, at, taken);
            from += taken;
            at += taken;
            length -= taken;
        }
    }

    @Override
    public void put(long from, float[] values, int at, int length) {
        check(from, length);
        for (int i = piece(from); length > 0; i++) {
            int inPiece = (int) (from - starts[i]);
            int given = Math.min(length, pieces[i].capacity() - inPiece);
            pieces[i].put(inPiece, values, at, given);
            from += given;
            at += given;
            length -= given;
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
