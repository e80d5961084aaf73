package io.twa4j.core.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A group of workers that are threads of one JVM, for tests and for trying a multi-worker run
 * without a network. Sums are taken in float64 in rank order and rounded once, so every rank gets
 * the same bits. A rank that does not arrive within the timeout, or that closes while others wait,
 * breaks the group: every waiting and later call fails naming it.
 */
public final class LocalCollective implements Collective {

    /** One rank's part of a call: what it asked for. */
    private record Call(String operation, float[] data, int root) {}

    /** What the ranks of one group share. */
    private static final class Group {
        final int size;
        final long timeoutNanos;
        final CyclicBarrier barrier;
        final Call[] calls;
        final long[] arrivals;
        volatile CollectiveException broken;

        Group(int size, Duration timeout) {
            this.size = size;
            this.timeoutNanos = timeout.toNanos();
            this.barrier = new CyclicBarrier(size);
            this.calls = new Call[size];
            this.arrivals = new long[size];
        }

        synchronized void breakWith(CollectiveException failure) {
            if (broken == null) {
                broken = failure;
            }
            barrier.reset();
            notifyAll();
        }

        /**
         * The failure that broke the barrier. A rank that times out breaks the barrier (waking the
         * others) before it records why, so this waits, briefly, for the record.
         */
        synchronized CollectiveException cause() throws InterruptedException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (broken == null && deadline - System.nanoTime() > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
            }
            return broken;
        }

        /** The ranks that have arrived fewer times than the most advanced one: those the others wait for. */
        synchronized List<Integer> laggards() {
            long most = Arrays.stream(arrivals).max().orElse(0);
            List<Integer> late = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                if (arrivals[r] < most) {
                    late.add(r);
                }
            }
            return late;
        }

        synchronized void arrive(int rank) {
            arrivals[rank]++;
        }
    }

    private final Group group;
    private final int rank;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;

    private LocalCollective(Group group, int rank) {
        this.group = group;
        this.rank = rank;
    }

    /**
     * The {@code size} members of a new group, by rank; each must be used by its own thread.
     *
     * @param timeout how long a call waits for the other ranks before it fails
     */
    public static List<Collective> group(int size, Duration timeout) {
        if (size < 1) {
            throw new IllegalArgumentException("a group needs at least one rank, got " + size);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, got " + timeout);
        }
        Group group = new Group(size, timeout);
        List<Collective> members = new ArrayList<>(size);
        for (int r = 0; r < size; r++) {
            members.add(new LocalCollective(group, r));
        }
        return List.copyOf(members);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return group.size;
    }

    @Override
    public void barrier() {
        call(new Call("barrier", new float[0], 0));
    }

    @Override
    public void broadcast(float[] data, int root) {
        if (root < 0 || root >= group.size) {
            throw new IllegalArgumentException("root " + root + " is not a rank of a world of " + group.size);
        }
        call(new Call("broadcast", data, root));
    }

    @Override
    public void allReduceSum(float[] data) {
        call(new Call("allReduceSum", data, 0));
    }

    private void call(Call call) {
        if (!busy.compareAndSet(false, true)) {
            throw new CollectiveException(rank, "rank " + rank + " made a collective call while another was running");
        }
        try {
            if (closed) {
                throw new CollectiveException(rank, "rank " + rank + " has left the group");
            }
            group.calls[rank] = call;
            await();
            float[] result = combine(call);
            await(); // every rank has read the others' data before any of them changes it
            group.calls[rank] = null;
            System.arraycopy(result, 0, call.data(), 0, result.length);
        } finally {
            busy.set(false);
        }
    }

    /** This rank's result, computed from every rank's call (all ranks agree on the same checks and bits). */
    private float[] combine(Call mine) {
        Call first = group.calls[0];
        for (int r = 0; r < group.size; r++) {
            Call other = group.calls[r];
            if (!other.operation().equals(first.operation()) || other.data().length != first.data().length
                    || other.root() != first.root()) {
                CollectiveException mismatch = new CollectiveException(r, "rank " + r + " called " + describe(other)
                        + " while rank 0 called " + describe(first));
                group.breakWith(mismatch);
                throw mismatch;
            }
        }
        if (mine.operation().equals("broadcast")) {
            return group.calls[mine.root()].data().clone();
        }
        float[] result = new float[mine.data().length];
        for (int i = 0; i < result.length; i++) {
            double sum = group.calls[0].data()[i]; // not 0.0: a sum of -0.0s stays -0.0, a world of one keeps its bits
            for (int r = 1; r < group.size; r++) {
                sum += group.calls[r].data()[i];
            }
            result[i] = (float) sum;
        }
        return result;
    }

    private static String describe(Call call) {
        return call.operation() + " of " + call.data().length + " floats"
                + (call.operation().equals("broadcast") ? " from rank " + call.root() : "");
    }

    private void await() {
        CollectiveException broken = group.broken;
        if (broken != null) {
            throw new CollectiveException(broken.peer(), broken.getMessage(), broken);
        }
        group.arrive(rank);
        try {
            group.barrier.await(group.timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            List<Integer> late = group.laggards();
            int peer = late.size() == 1 ? late.get(0) : -1;
            String whom = late.size() == 1 ? "rank " + late.get(0) + " " : "ranks " + late + " ";
            CollectiveException failure = new CollectiveException(peer, "rank " + rank + " waited "
                    + Duration.ofNanos(group.timeoutNanos).toMillis() + " ms for " + whom + "(stopped, gone or not calling)");
            group.breakWith(failure);
            throw failure;
        } catch (BrokenBarrierException e) {
            CollectiveException cause = causeOfTheBreak();
            throw cause != null ? new CollectiveException(cause.peer(), cause.getMessage(), cause)
                    : new CollectiveException(-1, "the group broke while rank " + rank + " waited");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CollectiveException failure = new CollectiveException(rank, "rank " + rank + " was interrupted in a collective call");
            group.breakWith(failure);
            throw failure;
        }
    }

    private CollectiveException causeOfTheBreak() {
        try {
            return group.cause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return group.broken;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            group.breakWith(new CollectiveException(rank, "rank " + rank + " left the group"));
        }
    }
}
