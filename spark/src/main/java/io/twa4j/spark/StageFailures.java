package io.twa4j.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads Spark's report of a failed job of workers (Spark passes a task's exception on as text):
 * which rank failed and how, and whether running the stage again can help.
 */
final class StageFailures {

    /** A {@link WorkerTaskException}'s message inside Spark's text. */
    private static final Pattern WORKER_FAILURE = Pattern.compile(
            Pattern.quote(WorkerTaskException.MARKER) + "(\\d+) failed in attempt \\d+: ([^\\n]*)");

    /** Spark's words for a barrier stage whose task failed (it threw, or its executor was lost). */
    private static final String BARRIER_TASK_FAILED = "Could not recover from a failed barrier ResultStage";

    /** The task Spark names in that report, and the first line of its reason. */
    private static final Pattern BARRIER_TASK = Pattern.compile(
            "barrier task ResultTask\\(\\d+, (\\d+)\\) finished unsuccessfully\\.\\s*\\n([^\\n]*)");

    /**
     * What went wrong in a job of workers.
     *
     * @param rank the rank that failed, -1 when Spark named none
     * @param reason one line: what the rank threw, or what Spark said
     * @param retryable whether a worker failed (so a new attempt may succeed), rather than Spark
     *     refusing the job (a task that cannot be serialized, say)
     */
    record Failure(int rank, String reason, boolean retryable) {}

    private StageFailures() {}

    /** Reads {@code failure}, what Spark's job ended with. */
    static Failure read(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof WorkerTaskException worker) {
                return new Failure(worker.rank(), reasonOf(worker.getMessage()), true);
            }
        }
        String text = String.valueOf(failure.getMessage());
        Matcher worker = WORKER_FAILURE.matcher(text);
        if (worker.find()) {
            return new Failure(Integer.parseInt(worker.group(1)), worker.group(2), true);
        }
        if (text.contains(BARRIER_TASK_FAILED)) {
            Matcher task = BARRIER_TASK.matcher(text);
            return task.find() ? new Failure(Integer.parseInt(task.group(1)), task.group(2).strip(), true)
                    : new Failure(-1, firstLine(text), true);
        }
        return new Failure(-1, firstLine(text), false);
    }

    private static String reasonOf(String workerMessage) {
        return workerMessage.substring(workerMessage.indexOf(": ") + 2);
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
