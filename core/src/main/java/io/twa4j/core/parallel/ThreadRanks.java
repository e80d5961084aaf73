package io.twa4j.core.parallel;

import io.twa4j.core.collective.Collective;
import io.twa4j.core.collective.CollectiveException;
import io.twa4j.core.collective.LocalCollective;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs a multi-worker job as threads of this JVM, one per rank of a {@link LocalCollective}: how
 * tests and a curious user try data-parallel training without a network. The ranks take turns for
 * forward and backward passes ({@link EngineThreads}), so this is not faster than one process.
 */
public final class ThreadRanks {
    private ThreadRanks() {}

    /**
     * Runs {@code work} on {@code size} ranks, each on its own thread, and returns their results by
     * rank. A rank's failure breaks the group (the others fail in their next call) and is thrown;
     * the whole run is bounded by {@code limit}.
     *
     * @throws ExecutionException wrapping a rank's failure (the one that is not a collective error
     *     caused by another rank's, where there is one)
     * @throws TimeoutException when the ranks have not finished within {@code limit}
     */
    public static <T> List<T> run(int size, Duration limit, Function<Collective, T> work)
            throws ExecutionException, TimeoutException, InterruptedException {
        List<Collective> group = LocalCollective.group(size, limit);
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Collective member : group) {
                futures.add(pool.submit(() -> {
                    EngineThreads.prepare();
                    try {
                        return work.apply(member);
                    } catch (RuntimeException | Error e) {
                        member.close(); // the others fail at once instead of waiting for the timeout
                        throw e;
                    }
                }));
            }
            long deadline = System.nanoTime() + limit.toNanos();
            List<T> results = new ArrayList<>();
            ExecutionException first = null;
            for (Future<T> future : futures) {
                try {
                    results.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    // the rank that failed first is the cause; the others' collective errors only name it
                    boolean cause = !(e.getCause() instanceof CollectiveException);
                    first = first == null || (cause && first.getCause() instanceof CollectiveException) ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
            return results;
        } finally {
            pool.shutdownNow();
            group.forEach(Collective::close);
        }
    }

    /** {@link #run} with a limit of ten minutes, rethrowing a rank's unchecked failure as it is. */
    public static <T> List<T> run(int size, Function<Collective, T> work) {
        try {
            return run(size, Duration.ofMinutes(10), work);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new CollectiveException(-1, "the ranks did not finish within 10 minutes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the ranks ran", e);
        }
    }
}
