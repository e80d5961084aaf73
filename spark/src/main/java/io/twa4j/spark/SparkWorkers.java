package io.twa4j.spark;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;

/**
 * Runs N twa4j workers as one Spark barrier stage: Spark starts all N tasks together (or none),
 * each joins one group with rank = its partition through a rendezvous on the driver, and when any
 * of them fails (its task threw, or its executor died) Spark ends the job and the driver runs the
 * whole stage again, every rank in a new group, up to {@link StagePolicy#attempts()} times.
 *
 * <p>Each attempt is a job of its own, a barrier result stage: Spark 3.5 retries a failed barrier
 * <em>shuffle map</em> stage itself, but keeps the output of tasks of the failed attempt that
 * succeeded late and reruns only the others (measured: attempt 2 ran rank 0 alone), which a group
 * cannot survive. Spark's own {@code BarrierTaskContext.barrier()} costs about a second, so the
 * workers' per-step exchange is the {@link io.twa4j.core.collective.Collective} instead.
 */
public final class SparkWorkers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SparkWorkers.class);
    private static final ClassTag<WorkerResult> RESULT = scala.reflect.ClassTag$.MODULE$.apply(WorkerResult.class);

    private final JavaSparkContext spark;
    private final boolean ownsContext;
    private final StagePolicy policy;
    private final AtomicLong stages = new AtomicLong();

    private SparkWorkers(SparkContext context, boolean ownsContext, StagePolicy policy) {
        this.spark = JavaSparkContext.fromSparkContext(context);
        this.ownsContext = ownsContext;
        this.policy = policy;
    }

    /**
     * Starts a Spark application with {@code cluster}'s settings; {@link #close()} stops it.
     *
     * @throws IllegalStateException when this JVM lacks Spark's Java 17 options, or a {@code
     *     local-cluster} master has no {@code SPARK_HOME} with a {@code jars/} folder
     */
    public static SparkWorkers start(ClusterOptions cluster, StagePolicy policy) {
        SparkJvm.requireModuleOptions();
        if (cluster.master().startsWith("local-cluster")) {
            requireSparkHome();
        }
        return new SparkWorkers(new SparkContext(SparkSettings.conf(cluster)), true, policy);
    }

    /**
     * Uses a running Spark application (which {@link #close()} leaves running). Its executors
     * must have the project's classes; see {@link ExecutorClassPath}.
     */
    public static SparkWorkers attach(SparkContext context, StagePolicy policy) {
        return new SparkWorkers(context, false, policy);
    }

    /** The Spark application the workers run in. */
    public SparkContext context() {
        return spark.sc();
    }

    /**
     * Runs {@code task} on {@code workers} ranks at once and returns each rank's result, by rank.
     *
     * @throws SparkWorkersException naming the rank and what it threw when the last attempt
     *     failed too, or when the stage did not end within the stage timeout (a hung worker, or
     *     fewer free task slots than workers; the job is cancelled then)
     */
    public List<WorkerResult> run(int workers, WorkerTask task) {
        if (workers < 1) {
            throw new IllegalArgumentException("a stage needs at least one worker, got " + workers);
        }
        requireSerializable(task);
        long deadline = System.nanoTime() + policy.stage().toNanos();
        spark.setJobGroup("twa4j-workers-" + stages.incrementAndGet(), "twa4j: " + workers + " workers", true);
        String earlier = "";
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return attempt(workers, attempt, task, deadline);
                } catch (AttemptFailed failed) {
                    String line = describe(failed.failure, workers, attempt);
                    if (!failed.failure.retryable() || attempt == policy.attempts()) {
                        // a timeout after a worker failed says what that worker did
                        String before = failed.failure.rank() < 0 ? earlier : "";
                        throw new SparkWorkersException(failed.failure.rank(), line + before, failed.getCause());
                    }
                    LOG.warn("{}; running all {} workers again", line, workers);
                    earlier = " (before: " + line + ")";
                }
            }
        } finally {
            spark.clearJobGroup();
        }
    }

    /** One attempt: a new group, a new job. */
    private List<WorkerResult> attempt(int workers, int attempt, WorkerTask task, long deadline) throws AttemptFailed {
        String bindHost = spark.getConf().get("spark.driver.host");
        try (AttemptGroup group = AttemptGroup.start(bindHost, workers, policy.collective())) {
            BarrierWorker worker = new BarrierWorker(group.joiner(), workers, attempt, task);
            return checked(workers, await(submit(worker, workers), workers, deadline));
        }
    }

    /** The job of one barrier result stage of {@code workers} tasks, one partition each. */
    private JavaFutureAction<List<WorkerResult>> submit(BarrierWorker worker, int workers) throws AttemptFailed {
        List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
        try {
            RDD<WorkerResult> results = spark.parallelize(ranks, workers).rdd().barrier().mapPartitions(worker, false, RESULT);
            return JavaRDD.fromRDD(results, RESULT).collectAsync();
        } catch (Exception e) { // Spark's SparkException, checked but thrown from Scala unannounced
            throw new AttemptFailed(new StageFailures.Failure(-1, "Spark refused it: " + e.getMessage(), false), e);
        }
    }

    /** The results of the job, or why there are none (its failure, the stage's timeout, an interrupt). */
    private List<WorkerResult> await(JavaFutureAction<List<WorkerResult>> job, int workers, long deadline)
            throws AttemptFailed {
        try {
            return job.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new AttemptFailed(StageFailures.read(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            job.cancel(true);
            throw new AttemptFailed(new StageFailures.Failure(-1, "it did not end within the stage's timeout, "
                    + policy.stage() + " (a worker hung, or the cluster has fewer than " + workers
                    + " free task slots); cancelled", false), e);
        } catch (InterruptedException e) {
            job.cancel(true);
            Thread.currentThread().interrupt();
            throw new AttemptFailed(new StageFailures.Failure(-1, "interrupted while waiting; cancelled", false), e);
        }
    }

    private String describe(StageFailures.Failure failure, int workers, int attempt) {
        String when = " in attempt " + attempt + " of " + policy.attempts() + ": ";
        if (failure.rank() >= 0) {
            return "worker rank " + failure.rank() + " of " + workers + " failed" + when + failure.reason();
        }
        return "the stage of " + workers + " workers failed" + when + failure.reason();
    }

    /** Spark sends the task to the executors with Java serialization; fail here, in one line, if it cannot. */
    private static void requireSerializable(WorkerTask task) {
        try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            out.writeObject(task);
        } catch (IOException e) {
            throw new IllegalArgumentException("the task cannot be sent to the executors (what it captures must be "
                    + "serializable): " + e, e);
        }
    }

    /** One result per rank, by rank: anything else is Spark's fault, reported, not passed on. */
    private static List<WorkerResult> checked(int workers, List<WorkerResult> results) {
        List<WorkerResult> byRank = results.stream().sorted(Comparator.comparingInt(WorkerResult::rank)).toList();
        List<Integer> ranks = byRank.stream().map(WorkerResult::rank).toList();
        if (!ranks.equals(IntStream.range(0, workers).boxed().toList())) {
            throw new SparkWorkersException(-1, "a stage of " + workers + " workers returned the ranks " + ranks, null);
        }
        return byRank;
    }

    /** A job that ended with a failure, as read from Spark's report. */
    private static final class AttemptFailed extends Exception {
        final transient StageFailures.Failure failure;

        AttemptFailed(StageFailures.Failure failure, Throwable cause) {
            super(failure.reason(), cause);
            this.failure = failure;
        }
    }

    private static void requireSparkHome() {
        String home = System.getenv("SPARK_HOME");
        Path jars = Path.of(home != null ? home : ".").resolve("jars");
        if (!Files.isDirectory(jars)) {
            throw new IllegalStateException("a local-cluster master needs SPARK_HOME with a jars/ folder (its workers "
                    + "start executors from it); there is no " + jars.toAbsolutePath()
                    + " (scripts/spark-standalone.sh builds one)");
        }
    }

    /** Stops the Spark application if {@link #start} started it. */
    @Override
    public void close() {
        if (ownsContext) {
            spark.stop();
        }
    }
}
