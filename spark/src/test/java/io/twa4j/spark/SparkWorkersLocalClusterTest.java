package io.twa4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers in executors of their own: {@code local-cluster[2,1,1024]} starts a standalone Master
 * and two Workers in this JVM, and each Worker one executor JVM of one core.
 */
@Timeout(180)
class SparkWorkersLocalClusterTest {

    private static SparkWorkers workers;

    @BeforeAll
    static void startSpark() throws IOException {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        ClusterOptions cluster = ClusterOptions.of("local-cluster[2,1,1024]", "twa4j-spark-cluster-test")
                .withExecutorMemory("512m")
                .withSparkProperties(Map.of("spark.ui.enabled", "false"));
        workers = SparkWorkers.start(cluster, new StagePolicy(Duration.ofSeconds(20), Duration.ofSeconds(90), 3));
    }

    @AfterAll
    static void stopSpark() {
        if (workers != null) {
            workers.close();
        }
    }

    @Test
    void eachRankRunsInAnExecutorWithTheEngineSettings() {
        List<WorkerResult> results = workers.run(2, collective -> {
            boolean executor = !"driver".equals(SparkEnv.get().executorId());
            boolean engine = "true".equals(System.getProperty("ai.djl.offline"))
                    && "1".equals(System.getProperty("ai.djl.pytorch.num_threads"))
                    && SparkSettings.ENGINE_ENVIRONMENT.get("MALLOC_TOP_PAD_").equals(System.getenv("MALLOC_TOP_PAD_"));
            return collective.rank() + (executor && engine ? 10 : 0);
        });

        assertThat(results).containsExactly(new WorkerResult(0, 10), new WorkerResult(1, 11));
    }

    @Test
    void twoExecutorsAllReduceTheirRankPlusOne() {
        List<WorkerResult> results = workers.run(2, SparkWorkersLocalTest::sumOfRanksPlusOne);

        assertThat(results).containsExactly(new WorkerResult(0, 3), new WorkerResult(1, 3));
    }

    @Test
    @Timeout(60)
    void anExecutorThatDiesIsReplacedAndEveryRankRunsAgain(@TempDir Path runs) {
        String folder = runs.toString();
        long start = System.nanoTime();
        List<WorkerResult> results = workers.run(2, collective -> {
            if (WorkerRuns.record(folder, collective.rank()) == 1 && collective.rank() == 1) {
                Runtime.getRuntime().halt(137); // rank 0 waits in the all-reduce meanwhile
            }
            return SparkWorkersLocalTest.sumOfRanksPlusOne(collective);
        });
        System.out.printf("an executor's death to a full second attempt: %.1f s%n", (System.nanoTime() - start) / 1e9);

        assertThat(results).containsExactly(new WorkerResult(0, 3), new WorkerResult(1, 3));
        assertThat(runs.resolve("rank-1-run-2")).exists();
    }
}
