package io.twa4j.cli;

import io.twa4j.core.collective.Collective;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.spark.ClusterOptions;
import io.twa4j.spark.ExecutorClassPath;
import io.twa4j.spark.SparkJvm;
import io.twa4j.spark.SparkWorkers;
import io.twa4j.spark.SparkWorkersException;
import io.twa4j.spark.StagePolicy;
import io.twa4j.spark.WorkerResult;
import io.twa4j.spark.WorkerTask;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code --master URL --workers N}: the command's workers as the N tasks of one Spark barrier
 * stage ({@link SparkWorkers}). Each task runs the same command line on its rank ({@link
 * WorkerOptions#executeOn}); rank 0 writes the run. When an attempt fails (a task's exception, a
 * lost executor, a lost worker), Spark's driver runs all N again, and a training or TWA then
 * continues from the run's last state ({@code --resume}), so the result is the uninterrupted
 * run's.
 */
final class SparkLaunch {

    /** The commands whose retried attempt continues with {@code --resume}. */
    private static final Set<String> RESUMABLE = Set.of("train", "finetune", "swa", "twa");

    private SparkLaunch() {}

    /**
     * Where and how wide the stage is.
     *
     * @param master the Spark master URL
     * @param workers the number of tasks (ranks)
     * @param threadsPerWorker cores and engine threads per task
     * @param shipJars whether Spark sends the driver's jars to the executors (else they use its class path as it is)
     */
    record Stage(String master, int workers, int threadsPerWorker, boolean shipJars) {}

    /** Runs the stage of {@code args} (a twa4j command line) and returns the exit code: rank 0's, else the first failed rank's. */
    static int run(Stage stage, List<String> args, PrintStream out) {
        try {
            SparkJvm.requireModuleOptions();
        } catch (IllegalStateException e) {
            throw RunError.settings("--master: " + e.getMessage() + " (./twa4j passes them)");
        }
        ClusterOptions options = ClusterOptions.of(stage.master(), "twa4j " + args.get(0)).withThreadsPerWorker(stage.threadsPerWorker())
                .withClassPath(classPath(stage));
        out.printf(Locale.ROOT, "running %d workers as a Spark barrier stage on %s (%d thread%s each)%n", stage.workers(),
                stage.master(), stage.threadsPerWorker(), stage.threadsPerWorker() == 1 ? "" : "s");
        List<WorkerResult> results;
        try (SparkWorkers spark = SparkWorkers.start(options, StagePolicy.defaults())) {
            out.printf(Locale.ROOT, "Spark application %s; rank 0 reports in its executor's stdout%n", spark.context().applicationId());
            results = spark.run(stage.workers(), new CommandTask(args.toArray(String[]::new)));
        } catch (SparkWorkersException e) {
            System.err.println("twa4j: the Spark stage failed: " + e.getMessage());
            return ExitCode.WORKER_LOST;
        }
        for (WorkerResult result : results) {
            if (result.exitCode() != 0) {
                if (result.rank() != 0) {
                    System.err.printf(Locale.ROOT, "twa4j: worker %d exited with %d (its output is in its executor's log)%n",
                            result.rank(), result.exitCode());
                }
                return results.get(0).exitCode() != 0 ? results.get(0).exitCode() : result.exitCode();
            }
        }
        out.printf(Locale.ROOT, "the %d workers are done%s%n", stage.workers(),
                runDirectory(args) == null ? "" : "; the run is in " + runDirectory(args));
        return ExitCode.OK;
    }

    /**
     * What each task runs: the command line on the task's rank. An attempt after the first
     * continues the run from its state when rank 0 sees that the first attempt made it; a worker
     * lost in the middle of the command fails the attempt, so that Spark runs it again.
     *
     * @param args the command line, as given
     */
    record CommandTask(String[] args) implements WorkerTask {

        @Override
        public int run(Collective collective) {
            return run(collective, 1);
        }

        @Override
        public int run(Collective collective, int attempt) {
            String[] these = attempt > 1 && RESUMABLE.contains(args[0]) && leaderSeesRun(collective) ? resumed(args) : args;
            int code = WorkerOptions.executeOn(collective, these);
            if (code == ExitCode.WORKER_LOST) {
                throw new IllegalStateException("rank " + collective.rank() + " lost a peer (exit " + code + ")");
            }
            return code;
        }

        /** Whether rank 0 finds the run's run.json (decided by rank 0 alone, so every rank agrees). */
        private boolean leaderSeesRun(Collective collective) {
            float[] seen = {0};
            if (collective.isLeader()) {
                Path run = SparkLaunch.runDirectory(args);
                seen[0] = run != null && Files.isRegularFile(run.resolve(RunDirectory.CONFIG)) ? 1 : 0;
            }
            collective.broadcast(seen, 0);
            return seen[0] == 1;
        }

        /** {@code args} continuing the run: {@code --resume} instead of {@code --overwrite}. */
        static String[] resumed(String[] args) {
            List<String> these = new ArrayList<>();
            for (String arg : args) {
                if (!arg.equals("--overwrite")) {
                    these.add(arg);
                }
            }
            if (!these.contains("--resume")) {
                these.add("--resume");
            }
            return these.toArray(String[]::new);
        }

    }

    private static ExecutorClassPath classPath(Stage stage) {
        if (!stage.shipJars()) {
            return ExecutorClassPath.sameMachine();
        }
        try {
            return ExecutorClassPath.driverJars();
        } catch (IllegalArgumentException e) {
            throw RunError.settings("--ship-jars: " + e.getMessage());
        }
    }

    /** The value of {@code --run} in {@code args}, or null. */
    static Path runDirectory(List<String> args) {
        return runDirectory(args.toArray(String[]::new));
    }

    /** The value of {@code --run} in {@code args}, or null. */
    static Path runDirectory(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--run") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--run=")) {
                return Path.of(args[i].substring("--run=".length()));
            }
        }
        return null;
    }
}
