package io.twa4j.vision.data;

import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Serves a fixed number of batches made, in order, by one background daemon thread into a
 * bounded queue.
 *
 * <p>A failure on the producer thread is handed to the consumer and rethrown from {@link #next()}
 * once the batches before it have been taken. {@link #close()} interrupts the producer and waits
 * for it to end.
 */
final class PrefetchIterator implements BatchSource.BatchIterator {

    private static final long JOIN_MILLIS = 10_000;

    /** A producer failure travelling through the queue. */
    private record Failure(Throwable cause) {}

    private final int total;
    private final BlockingQueue<Object> queue;
    private final Thread producer;
    private volatile boolean closed;
    private int delivered;
    private long waitNanos;
    private Throwable failure;

    /**
     * Starts producing {@code total} batches with {@code make.apply(0..total-1)}.
     *
     * @param depth how many ready batches the queue holds, at least 1
     */
    PrefetchIterator(String threadName, int total, int depth, IntFunction<HostBatch> make) {
        if (depth < 1) {
            throw new IllegalArgumentException("prefetch depth " + depth + " must be at least 1");
        }
        this.total = total;
        this.queue = new ArrayBlockingQueue<>(depth);
        this.producer = new Thread(() -> produce(make), threadName);
        producer.setDaemon(true);
        producer.start();
    }

    private void produce(IntFunction<HostBatch> make) {
        try {
            for (int b = 0; b < total && !closed; b++) {
                HostBatch batch;
                try {
                    batch = make.apply(b);
                } catch (Throwable t) {
                    if (!closed) {
                        queue.put(new Failure(t));
                    }
                    return;
                }
                queue.put(batch);
            }
        } catch (InterruptedException e) {
            // closed: stop quietly
        }
    }

    @Override
    public boolean hasNext() {
        return !closed && failure == null && delivered < total;
    }

    @Override
    public HostBatch next() {
        if (failure != null) {
            throw rethrow(failure);
        }
        if (closed) {
            throw new IllegalStateException("batch iterator is closed");
        }
        if (delivered >= total) {
            throw new NoSuchElementException("all " + total + " batches of this epoch were served");
        }
        Object item = take();
        if (item instanceof Failure f) {
            failure = f.cause();
            close();
            throw rethrow(failure);
        }
        delivered++;
        return (HostBatch) item;
    }

    private Object take() {
        long start = System.nanoTime();
        try {
            Object item;
            while ((item = queue.poll(100, TimeUnit.MILLISECONDS)) == null) {
                if (!producer.isAlive() && queue.isEmpty()) {
                    throw new IllegalStateException("batch producer " + producer.getName() + " ended without a batch");
                }
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch", e);
        } finally {
            waitNanos += System.nanoTime() - start;
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("batch preparation failed (" + DatasetException.describe(t) + ")", t);
    }

    @Override
    public long waitNanos() {
        return waitNanos;
    }

    /** Stops the producer (interrupting it) and waits for it to end; safe to call more than once. */
    @Override
    public void close() {
        closed = true;
        producer.interrupt();
        queue.clear();
        if (Thread.currentThread() != producer) {
            try {
                producer.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queue.clear();
    }

    /** Whether the producer thread is still running (for tests). */
    boolean producerAlive() {
        return producer.isAlive();
    }
}
