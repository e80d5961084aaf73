package io.twa4j.core.parallel;

import io.twa4j.core.collective.Collective;

/**
 * The part of the data that rank {@code rank} of {@code count} handles in a data-parallel run.
 *
 * <ul>
 *   <li>In training, every rank reads the same global batch (same order, same augmentation) and
 *       takes rows {@code [⌊r·n/N⌋, ⌊(r+1)·n/N⌋)} of its n rows: contiguous, disjoint, together
 *       the whole batch, sizes differing by at most one. The global batch size, and so the
 *       learning rate, are those of one process.
 *   <li>In a pass that averages per-batch statistics (evaluation, BatchNorm update), rank r takes
 *       the whole batches b with {@code b mod N = r}, so that the sums over the ranks are exactly
 *       the sums of one process over the same batches.
 * </ul>
 *
 * @param rank this worker's rank, in [0, count)
 * @param count the number of workers
 */
public record Shard(int rank, int count) {

    /** The shard of a run with one worker: everything. */
    public static final Shard WHOLE = new Shard(0, 1);

    /** Checks that the rank is one of {@code count} ≥ 1. */
    public Shard {
        if (count < 1 || rank < 0 || rank >= count) {
            throw new IllegalArgumentException("rank " + rank + " is not one of " + count + " workers");
        }
    }

    /** The shard of {@code collective}'s rank. */
    public static Shard of(Collective collective) {
        return new Shard(collective.rank(), collective.size());
    }

    /** Whether the data is split at all (more than one worker). */
    public boolean split() {
        return count > 1;
    }

    /** The first row of a global batch of {@code rows} that this rank takes. */
    public int rowsFrom(int rows) {
        return (int) ((long) rank * rows / count);
    }

    /** One past the last row of a global batch of {@code rows} that this rank takes. */
    public int rowsTo(int rows) {
        return (int) ((long) (rank + 1) * rows / count);
    }

    /** Whether batch {@code batch} (from 0) of a pass of whole batches is this rank's. */
    public boolean owns(long batch) {
        return batch % count == rank;
    }
}
