package io.twa4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Workers as tasks of a {@code local[2]} Spark in this JVM: one context for the class. */
@Timeout(120)
class SparkWorkersLocalTest {

    private static SparkWorkers workers;

    @BeforeAll
    static void startSpark() {
        ClusterOptions cluster = ClusterOptions.of("local[2]", "twa4j-spark-test")
                .withSparkProperties(Map.of("spark.ui.enabled", "false"));
        workers = SparkWorkers.start(cluster, new StagePolicy(Duration.ofSeconds(20), Duration.ofSeconds(60), 3));
    }

    @AfterAll
    static void stopSpark() {
        if (workers != null) {
            workers.close();
        }
    }

    @Test
    void eachTaskRunsAsTheRankOfItsPartition() {
        List<WorkerResult> results = workers.run(2, collective -> 10 * collective.size() + collective.rank());

        assertThat(results).containsExactly(new WorkerResult(0, 20), new WorkerResult(1, 21));
    }

    @Test
    void twoTasksAllReduceTheirRankPlusOne() {
        List<WorkerResult> results = workers.run(2, SparkWorkersLocalTest::sumOfRanksPlusOne);

        assertThat(results).containsExactly(new WorkerResult(0, 3), new WorkerResult(1, 3));
    }

    @Test
    @Timeout(30)
    void aRankThatFailsWhileTheOtherWaitsForItRunsAgainWithTheOther(@TempDir Path runs) {
        String folder = runs.toString();
        List<WorkerResult> results = workers.run(2, collective -> {
            if (WorkerRuns.record(folder, collective.rank()) == 1 && collective.rank() == 1) {
                throw new IllegalStateException("first run"); // rank 0 waits in the all-reduce meanwhile
            }
            return sumOfRanksPlusOne(collective);
        });

        assertThat(results).containsExactly(new WorkerResult(0, 3), new WorkerResult(1, 3));
        assertThat(runs.resolve("rank-1-run-2")).exists();
    }

    /** Σ_r (r + 1) over the ranks, summed by the collective. */
    static int sumOfRanksPlusOne(io.twa4j.core.collective.Collective collective) {
        float[] value = {collective.rank() + 1};
        collective.allReduceSum(value);
        return (int) value[0];
    }

    @Test
    @Timeout(30)
    void aTaskThatKeepsFailingEndsTheRunWithItsRankAndMessage(@TempDir Path runs) {
        String folder = runs.toString();
        assertThatThrownBy(() -> workers.run(2, collective -> {
            WorkerRuns.record(folder, collective.rank());
            if (collective.rank() == 1) {
                throw new IllegalStateException("no data for rank 1");
            }
            return 0;
        })).isInstanceOfSatisfying(SparkWorkersException.class, e -> {
            assertThat(e.rank()).isEqualTo(1);
            assertThat(e.getMessage()).isEqualTo("worker rank 1 of 2 failed in attempt 3 of 3: "
                    + "java.lang.IllegalStateException: no data for rank 1");
        });
        assertThat(runs.resolve("rank-1-run-3")).exists();
        assertThat(runs.resolve("rank-1-run-4")).doesNotExist();
    }

    @Test
    @Timeout(30)
    void afterAFailureEveryRankRunsAgain(@TempDir Path runs) {
        String folder = runs.toString();
        List<WorkerResult> results = workers.run(2, collective -> {
            int run = WorkerRuns.record(folder, collective.rank());
            if (collective.rank() == 0 && run == 1) {
                throw new IllegalStateException("first run");
            }
            return run;
        });

        assertThat(results).containsExactly(new WorkerResult(0, 2), new WorkerResult(1, 2));
    }

    @Test
    void aNonZeroExitCodeIsAResultNotAFailure() {
        List<WorkerResult> results = workers.run(2, collective -> collective.rank() == 1 ? 3 : 0);

        assertThat(results).containsExactly(new WorkerResult(0, 0), new WorkerResult(1, 3));
    }

    @Test
    void aTaskThatCannotBeSentIsRefusedBeforeSparkRunsIt() {
        Object notSerializable = new Object();
        assertThatThrownBy(() -> workers.run(2, collective -> notSerializable.hashCode()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the task cannot be sent to the executors (what it captures must be serializable): "
                        + "java.io.NotSerializableException: java.lang.Object");
    }

    @Test
    @Timeout(30)
    void aStageThatHangsIsCancelledAtItsTimeout() {
        SparkWorkers impatient = SparkWorkers.attach(workers.context(),
                new StagePolicy(Duration.ofSeconds(5), Duration.ofSeconds(2), 3));

        assertThatThrownBy(() -> impatient.run(2, collective -> {
            Thread.sleep(60_000);
            return 0;
        })).isInstanceOf(SparkWorkersException.class).hasMessage("the stage of 2 workers failed in attempt 1 of 3: "
                + "it did not end within the stage's timeout, PT2S (a worker hung, or the cluster has fewer than 2 "
                + "free task slots); cancelled");
        assertThat(workers.run(2, collective -> 0)).hasSize(2); // the cancelled tasks gave their slots back
    }

    @Test
    @Timeout(30)
    void aTimeoutAfterAFailureSaysWhatTheWorkerDid(@TempDir Path runs) {
        SparkWorkers impatient = SparkWorkers.attach(workers.context(),
                new StagePolicy(Duration.ofSeconds(5), Duration.ofSeconds(2), 3));
        String folder = runs.toString();

        assertThatThrownBy(() -> impatient.run(2, collective -> {
            if (WorkerRuns.record(folder, collective.rank()) == 1 && collective.rank() == 0) {
                throw new IllegalStateException("first run");
            }
            Thread.sleep(60_000);
            return 0;
        })).isInstanceOf(SparkWorkersException.class).hasMessageStartingWith("the stage of 2 workers failed in attempt 2 of 3: "
                + "it did not end within the stage's timeout").hasMessageEndingWith("(before: worker rank 0 of 2 failed in "
                + "attempt 1 of 3: java.lang.IllegalStateException: first run)");
    }

    @Test
    @Timeout(30)
    void moreWorkersThanSlotsEndAtTheStageTimeout() {
        SparkWorkers impatient = SparkWorkers.attach(workers.context(),
                new StagePolicy(Duration.ofSeconds(5), Duration.ofSeconds(2), 3));

        assertThatThrownBy(() -> impatient.run(3, collective -> 0)).isInstanceOf(SparkWorkersException.class)
                .hasMessageContaining("the cluster has fewer than 3 free task slots");
    }
}
