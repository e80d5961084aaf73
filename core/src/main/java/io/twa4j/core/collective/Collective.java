package io.twa4j.core.collective;

/**
 * The operations that workers of a multi-worker run perform together: every rank calls the same
 * operations in the same order, and each call returns once every rank has made it.
 *
 * <p>The contract every implementation keeps (checked by one conformance suite):
 *
 * <ul>
 *   <li>{@link #allReduceSum} leaves {@code data[i] = Σ_r data_r[i]} on every rank, within float
 *       rounding of the float64 sum, with the <em>same bits</em> on every rank (so that ranks that
 *       apply the same update stay identical);
 *   <li>every call has a timeout; a peer that died, stopped or left ends the call with a {@link
 *       CollectiveException} naming the rank, never a hang and never a partial or local sum;
 *   <li>after a failure the collective is broken: every later call fails at once;
 *   <li>one call at a time per collective: a call made while another is running on this rank is
 *       refused.
 * </ul>
 *
 * <p>Ranks count from 0; rank 0 is the one that writes a run's files.
 */
public interface Collective extends AutoCloseable {

    /** This worker's rank, in [0, {@link #size()}). */
    int rank();

    /** The number of workers. */
    int size();

    /** Returns once every rank has called it. */
    void barrier();

    /**
     * Replaces {@code data} on every rank with {@code root}'s (the same length on every rank).
     *
     * @throws CollectiveException when the lengths differ, a peer fails or the call times out
     */
    void broadcast(float[] data, int root);

    /**
     * Sums {@code data} element-wise over the ranks, in place: afterwards {@code data[i] = Σ_r
     * data_r[i]} on every rank, bit-identical everywhere.
     *
     * @throws CollectiveException when the lengths differ, a peer fails or the call times out
     */
    void allReduceSum(float[] data);

    /** Whether this is rank 0. */
    default boolean isLeader() {
        return rank() == 0;
    }

    /** Leaves the group; peers still calling get an error naming this rank. Idempotent. */
    @Override
    void close();

    /** The collective of a run with one worker: every operation returns its input. */
    static Collective single() {
        return SingleCollective.INSTANCE;
    }
}
