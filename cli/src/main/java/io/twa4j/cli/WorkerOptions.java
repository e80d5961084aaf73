package io.twa4j.cli;

import io.twa4j.core.collective.Collective;
import io.twa4j.core.collective.TcpCollective;
import io.twa4j.run.Console;
import io.twa4j.run.RunError;
import io.twa4j.run.report.EpochLines;
import java.net.InetSocketAddress;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a training command's workers run: in this process (the default), as N processes on this
 * machine ({@code --workers N}), or as the N tasks of a Spark barrier stage ({@code --master URL
 * --workers N}). Every worker runs the same command on its rank of one {@link Collective}; rank 0
 * writes the run.
 *
 * <p>The processes that {@code --workers} starts, and Spark's tasks, find each other through a rendezvous and
 * carry the hidden options {@code --rank} and {@code --rendezvous}.
 */
final class WorkerOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1",
            description = "Train data-parallel on N workers: N processes on this machine, or N Spark tasks with --master."
                    + " Each takes 1/N of every batch; the batch size and learning rate stay those of one process (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--master", paramLabel = "URL",
            description = "Run the workers as one Spark barrier stage: spark://HOST:PORT (scripts/spark-standalone.sh starts one"
                    + " on this machine), local-cluster[N,C,MB] or local[N]. The run directory must be at the same path for the"
                    + " driver and every worker; a failed attempt is run again (up to 4 times), continuing from the run's state.")
    String master;

    @Option(names = "--worker-threads", paramLabel = "T",
            description = "With --master: cores and engine threads of each worker (default: this machine's cores / N).")
    Integer workerThreads;

    @Option(names = "--ship-jars",
            description = "With --master: send this command's jars to the executors (spark.jars), for a cluster whose machines"
                    + " do not have them at the same paths (default: the executors use this machine's class path).")
    boolean shipJars;

    @Option(names = "--rank", hidden = true, description = "This worker's rank (set by the launcher).")
    Integer rank;

    @Option(names = "--rendezvous", hidden = true, paramLabel = "HOST:PORT", description = "Where the workers meet (set by the launcher).")
    String rendezvous;

    @Option(names = "--parent-pid", hidden = true, description = "The launching process; the worker stops when it is gone.")
    Long parentPid;

    /** What the command does on one rank. */
    @FunctionalInterface
    interface Job {
        /** Runs on {@code collective}'s rank, reporting on {@code console}; returns the exit code. */
        int run(Collective collective, Console console);
    }

    /** The collective a Spark task hands the command it runs in its thread (the task joined it). */
    private static final ThreadLocal<Collective> HANDED = new ThreadLocal<>();

    /** Runs {@code args} as a twa4j command on {@code collective} (a Spark task's rank); returns its exit code. */
    static int executeOn(Collective collective, String... args) {
        HANDED.set(collective);
        try {
            return Twa4j.execute(args);
        } finally {
            HANDED.remove();
        }
    }

    /** Runs {@code job} here, on this process's rank, or launches the workers and waits for them. */
    int run(Job job) {
        Collective handed = HANDED.get();
        if (handed != null) {
            // a Spark task: rank 0 reports; the others' lines would only repeat its own (errors still reach stderr)
            return job.run(handed, handed.isLeader() ? console(handed, StopSignals.never()) : Console.silent());
        }
        if (rank != null) {
            return asWorker(job);
        }
        if (workers < 1) {
            throw RunError.settings("--workers must be at least 1, got " + workers);
        }
        List<String> args = spec.root().commandLine().getParseResult().originalArgs();
        if (master != null) {
            int threads = workerThreads != null ? workerThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
            return SparkLaunch.run(new SparkLaunch.Stage(master, workers, threads, shipJars), args, System.out);
        }
        if (workers > 1) {
            return LocalWorkers.launch(args, workers, System.out);
        }
        return job.run(Collective.single(), ProgressBars.console());
    }

    /** Joins the workers at --rendezvous as rank --rank, then runs {@code job}. */
    private int asWorker(Job job) {
        int colon = rendezvous == null ? -1 : rendezvous.lastIndexOf(':');
        if (colon <= 0 || !rendezvous.substring(colon + 1).matches("\\d{1,5}") || rank < 0 || rank >= workers) {
            throw RunError.settings("--rank " + rank + " needs --rendezvous HOST:PORT (got " + rendezvous + ") and a rank below --workers "
                    + workers);
        }
        InetSocketAddress address = new InetSocketAddress(rendezvous.substring(0, colon),
                Integer.parseInt(rendezvous.substring(colon + 1)));
        // the workers of --workers run where their launcher's rendezvous does: they listen on the same address (loopback)
        TcpCollective.Options options = new TcpCollective.Options(address.getHostString(), TcpCollective.Options.defaults().timeout());
        try (TcpCollective collective = TcpCollective.join(address, rank, workers, options)) {
            return job.run(collective, console(collective, StopSignals.installForWorker(parentPid)));
        }
    }

    /** Rank 0 shows progress bars; the others print a line per epoch (to their logs). */
    private static Console console(Collective collective, java.util.function.BooleanSupplier stop) {
        if (collective.isLeader()) {
            return ProgressBars.console(stop);
        }
        return new Console(System.out, phase -> new EpochLines(phase, System.out), stop);
    }
}
