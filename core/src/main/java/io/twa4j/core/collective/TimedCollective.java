package io.twa4j.core.collective;

/**
 * A {@link Collective} that counts what goes through it: calls, floats and the time spent in
 * them, so that a benchmark or a run can report the exchange per step and its share of the step.
 * Not thread-safe (nor is a collective: one call at a time).
 */
public final class TimedCollective implements Collective {

    /**
     * What went through since the last {@link #reset}.
     *
     * @param calls the collective calls (barriers included)
     * @param floats the floats handed to all-reduces and broadcasts
     * @param nanos the time spent in the calls
     */
    public record Totals(long calls, long floats, long nanos) {}

    private final Collective inner;
    private long calls;
    private long floats;
    private long nanos;

    /** Counts the calls made through it to {@code inner}. */
    public TimedCollective(Collective inner) {
        this.inner = inner;
    }

    /** The totals since construction or the last {@link #reset}. */
    public Totals totals() {
        return new Totals(calls, floats, nanos);
    }

    /** Starts the counts again. */
    public void reset() {
        calls = 0;
        floats = 0;
        nanos = 0;
    }

    @Override
    public int rank() {
        return inner.rank();
    }

    @Override
    public int size() {
        return inner.size();
    }

    @Override
    public void barrier() {
        long started = System.nanoTime();
        inner.barrier();
        count(0, started);
    }

    @Override
    public void broadcast(float[] data, int root) {
        long started = System.nanoTime();
        inner.broadcast(data, root);
        count(data.length, started);
    }

    @Override
    public void allReduceSum(float[] data) {
        long started = System.nanoTime();
        inner.allReduceSum(data);
        count(data.length, started);
    }

    private void count(int length, long started) {
        nanos += System.nanoTime() - started;
        calls++;
        floats += length;
    }

    @Override
    public void close() {
        inner.close();
    }
}
