package io.twa4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** Reading Spark's reports of failed jobs (texts as Spark 3.5 writes them). */
class StageFailuresTest {

    @Test
    void aTaskThatThrewIsFoundInSparksTextByItsMarker() {
        String text = "Job aborted due to stage failure: Could not recover from a failed barrier ResultStage. "
                + "Most recent failure reason: Stage failed because barrier task ResultTask(3, 1) finished unsuccessfully.\n"
                + "io.twa4j.spark.WorkerTaskException: twa4j worker rank 1 failed in attempt 2: java.io.IOException: disk full\n"
                + "\tat io.twa4j.spark.BarrierWorker.apply(BarrierWorker.java:50)\n";

        assertThat(StageFailures.read(new SparkException(text)))
                .isEqualTo(new StageFailures.Failure(1, "java.io.IOException: disk full", true));
    }

    @Test
    void aDeadExecutorIsTheRankOfItsTask() {
        String text = "Job aborted due to stage failure: Could not recover from a failed barrier ResultStage. "
                + "Most recent failure reason: Stage failed because barrier task ResultTask(0, 1) finished unsuccessfully.\n"
                + "ExecutorLostFailure (executor 0 exited caused by one of the running tasks) Reason: Command exited with code 137\n";

        assertThat(StageFailures.read(new SparkException(text))).isEqualTo(new StageFailures.Failure(1,
                "ExecutorLostFailure (executor 0 exited caused by one of the running tasks) Reason: Command exited with code 137",
                true));
    }

    @Test
    void theExceptionItselfIsUsedWhenSparkPassesItOn() {
        WorkerTaskException worker = new WorkerTaskException(0, 1, new IllegalStateException("bad\nshape"));

        assertThat(worker.getMessage()).isEqualTo("twa4j worker rank 0 failed in attempt 1: java.lang.IllegalStateException: bad shape");
        assertThat(StageFailures.read(new SparkException("Job aborted", worker)))
                .isEqualTo(new StageFailures.Failure(0, "java.lang.IllegalStateException: bad shape", true));
    }

    @Test
    void anythingElseIsSparksOwnFailureAndNotRetried() {
        assertThat(StageFailures.read(new SparkException("Job 3 cancelled because SparkContext was shut down\nmore")))
                .isEqualTo(new StageFailures.Failure(-1, "Job 3 cancelled because SparkContext was shut down", false));
    }
}
