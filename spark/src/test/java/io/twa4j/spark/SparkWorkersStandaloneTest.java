package io.twa4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Workers on a running standalone cluster, such as the one of {@code scripts/spark-standalone.sh}:
 * {@code TWA4J_SPARK_MASTER=$(scripts/spark-standalone.sh start 2) mvn test -pl spark -am
 * -Dtest=SparkWorkersStandaloneTest -Dsurefire.failIfNoSpecifiedTests=false}. Skipped without it.
 */
@EnabledIfEnvironmentVariable(named = "TWA4J_SPARK_MASTER", matches = "spark://.+")
@Timeout(180)
class SparkWorkersStandaloneTest {

    @Test
    void twoExecutorsOfTheClusterAllReduceTheirRankPlusOne() {
        ClusterOptions cluster = ClusterOptions.of(System.getenv("TWA4J_SPARK_MASTER"), "twa4j-spark-standalone-test")
                .withExecutorMemory("512m")
                .withSparkProperties(Map.of("spark.ui.enabled", "false"));
        try (SparkWorkers workers = SparkWorkers.start(cluster,
                new StagePolicy(Duration.ofSeconds(30), Duration.ofSeconds(120), 2))) {
            List<WorkerResult> results = workers.run(2, collective -> {
                boolean executor = !"driver".equals(org.apache.spark.SparkEnv.get().executorId());
                return SparkWorkersLocalTest.sumOfRanksPlusOne(collective) + (executor ? 10 : 0);
            });

            assertThat(results).containsExactly(new WorkerResult(0, 13), new WorkerResult(1, 13));
        }
    }
}
