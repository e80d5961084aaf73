package io.twa4j.core.data;

import java.util.Iterator;

/**
 * A finite dataset served in batches, one pass per epoch.
 *
 * <p>The order (and any augmentation) of epoch {@code e} is a pure function of the source's seed
 * and {@code e}, so a run can be repeated or resumed at any epoch with the same numbers.
 */
public interface BatchSource {

    /** The number of examples in one pass. */
    int size();

    /** The number of batches in one pass (the last may be partial). */
    int batchesPerEpoch();

    /** The number of classes the labels range over. */
    int numClasses();

    /**
     * The batches of one epoch (epochs count from 0). The caller must close the iterator, which
     * stops any background preparation.
     */
    BatchIterator epoch(int epoch);

    /** An iterator over the batches of one epoch that may hold a background thread. */
    interface BatchIterator extends Iterator<HostBatch>, AutoCloseable {
        /** Nanoseconds the consumer has spent waiting in {@link #next()} so far. */
        long waitNanos();

        @Override
        void close();
    }
}
