package io.twa4j.core.parallel;

import io.twa4j.core.collective.Collective;
import io.twa4j.core.collective.LocalCollective;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Runs one piece of work per rank of an in-process group, each on its own thread; bounded in time. */
final class OnRanks {
    private OnRanks() {}

    /** The results by rank; the first failure of any rank is thrown. */
    static <T> List<T> run(int size, Function<Collective, T> work) throws Exception {
        List<Collective> group = LocalCollective.group(size, Duration.ofSeconds(30));
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Collective member : group) {
                futures.add(pool.submit(() -> {
                    EngineThreads.prepare();
                    return work.apply(member);
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
            group.forEach(Collective::close);
        }
    }
}
