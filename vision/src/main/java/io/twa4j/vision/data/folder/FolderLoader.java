package io.twa4j.vision.data.folder;

import ai.djl.ndarray.types.Shape;
import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import io.twa4j.vision.data.DatasetException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One epoch of a {@link FolderBatchSource}: worker threads take the epoch's images one by one, in
 * order, and write each into its place in the buffer of its batch; the consumer takes the batches
 * in order once all their images are done.
 *
 * <p>There are {@code prefetch + 1} batch buffers, reused in turn: a worker starts on batch
 * {@code b} only once the consumer has given back batch {@code b - prefetch - 1} (by asking for
 * the next), so at most {@code prefetch} batches are prepared ahead of the one in use. A failure
 * (the first image of its batch that failed) is thrown by {@link #next()} when its batch is due;
 * {@link #close()} stops and joins the workers.
 */
final class FolderLoader implements BatchSource.BatchIterator {

    private static final long JOIN_MILLIS = 10_000;

    /** The buffer of one batch in preparation. */
    private static final class Slot {
        int batch = -1;
        int count;
        int done;
        float[] features;
        int[] labels;
        boolean[] bad;
        RuntimeException failure;
        int failurePosition;
    }

    private final FolderBatchSource source;
    private final int[] order;
    private final int epoch;
    private final int batchSize;
    private final int batches;
    private final int per;
    private final Slot[] slots;
    private final List<Thread> workers = new ArrayList<>();
    private final Object lock = new Object();
    private int nextImage;
    private int taken;
    private int released;
    private volatile boolean closed;
    private boolean failed;
    private long waitNanos;

    FolderLoader(FolderBatchSource source, int[] order, int epoch, int workerCount, int prefetch) {
        this.source = source;
        this.order = order;
        this.epoch = epoch;
        this.batchSize = source.batchSize();
        this.batches = source.batchesPerEpoch();
        int s = source.imageSize();
        this.per = 3 * s * s;
        this.slots = new Slot[Math.min(prefetch + 1, batches)];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
        for (int w = 0; w < workerCount; w++) {
            Thread t = new Thread(this::work, "twa4j-folder-" + source.images().name() + "-e" + epoch + "-w" + w);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    private void work() {
        Resampler resampler = new Resampler(source.imageSize());
        while (true) {
            int position = claim();
            if (position < 0) {
                return;
            }
            Slot slot = slots[(position / batchSize) % slots.length];
            int k = position % batchSize;
            int index = order[position];
            RuntimeException failure = null;
            boolean bad = false;
            try {
                slot.labels[k] = source.images().label(index);
                source.prepare(epoch, position, index, resampler, slot.features, k * per);
            } catch (DatasetException e) {
                if (source.skipsBadImages()) {
                    bad = true;
                    source.skip(source.images().file(index), e);
                } else {
                    failure = e;
                }
            } catch (RuntimeException e) {
                failure = new DatasetException(source.images().file(index) + ": cannot be prepared: " + e, e);
            }
            finish(slot, k, position, bad, failure);
        }
    }

    /** The next image position to prepare, waiting for its batch's buffer; -1 when there is none or on close. */
    private int claim() {
        synchronized (lock) {
            while (!closed && nextImage < order.length && nextImage / batchSize >= released + slots.length) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    return -1;
                }
            }
            if (closed || nextImage >= order.length) {
                return -1;
            }
            int position = nextImage++;
            if (position % batchSize == 0) {
                reset(slots[(position / batchSize) % slots.length], position / batchSize);
            }
            return position;
        }
    }

    private void reset(Slot slot, int batch) {
        int count = Math.min(batchSize, order.length - batch * batchSize);
        if (slot.features == null || slot.count != count) {
            slot.features = new float[count * per];
            slot.bad = new boolean[count];
        }
        slot.labels = new int[count];
        java.util.Arrays.fill(slot.bad, false);
        slot.batch = batch;
        slot.count = count;
        slot.done = 0;
        slot.failure = null;
    }

    private void finish(Slot slot, int k, int position, boolean bad, RuntimeException failure) {
        synchronized (lock) {
            slot.bad[k] = bad;
            if (failure != null && (slot.failure == null || position < slot.failurePosition)) {
                slot.failure = failure;
                slot.failurePosition = position;
            }
            if (++slot.done == slot.count) {
                lock.notifyAll();
            }
        }
    }

    @Override
    public boolean hasNext() {
        return !closed && !failed && taken < batches;
    }

    @Override
    public HostBatch next() {
        if (closed || failed) {
            throw new IllegalStateException("batch iterator is " + (closed ? "closed" : "failed"));
        }
        if (taken >= batches) {
            throw new NoSuchElementException("all " + batches + " batches of this epoch were served");
        }
        Slot slot = awaitBatch(taken);
        taken++;
        if (slot.failure != null) {
            failed = true;
            close();
            throw slot.failure;
        }
        return batchOf(slot);
    }

    /** Gives back the batch in use and waits until batch {@code b} is complete. */
    private Slot awaitBatch(int b) {
        long start = System.nanoTime();
        Slot slot = slots[b % slots.length];
        synchronized (lock) {
            released = b;
            lock.notifyAll();
            try {
                while (!(slot.batch == b && slot.done == slot.count)) {
                    if (closed) {
                        throw new IllegalStateException("batch iterator is closed");
                    }
                    lock.wait(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } finally {
                waitNanos += System.nanoTime() - start;
            }
        }
        return slot;
    }

    /** The slot's batch; a compacted copy when images were skipped. */
    private HostBatch batchOf(Slot slot) {
        int s = source.imageSize();
        int kept = 0;
        for (boolean b : slot.bad) {
            kept += b ? 0 : 1;
        }
        if (kept == slot.count) {
            return new HostBatch(slot.features, new Shape(slot.count, 3, s, s), slot.labels);
        }
        if (kept == 0) {
            failed = true;
            close();
            throw new DatasetException(source.images().name() + ": every image of batch " + slot.batch + " of epoch " + epoch
                    + " is unreadable");
        }
        float[] features = new float[kept * per];
        int[] labels = new int[kept];
        for (int k = 0, j = 0; k < slot.count; k++) {
            if (!slot.bad[k]) {
                System.arraycopy(slot.features, k * per, features, j * per, per);
                labels[j++] = slot.labels[k];
            }
        }
        return new HostBatch(features, new Shape(kept, 3, s, s), labels);
    }

    @Override
    public long waitNanos() {
        return waitNanos;
    }

    /** Stops the workers (interrupting them) and waits for them to end; safe to call more than once. */
    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            if (t != Thread.currentThread()) {
                try {
                    t.join(JOIN_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Whether any worker is still running (for tests). */
    boolean workersAlive() {
        return workers.stream().anyMatch(Thread::isAlive);
    }
}
