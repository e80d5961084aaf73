package io.twa4j.cli;

import io.twa4j.core.collective.Rendezvous;
import io.twa4j.run.RunError;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * {@code --workers N} on one machine: N worker processes running the same command, found by one
 * another through a {@link Rendezvous} this process holds. The intra-op threads are shared out
 * (cores / N each). Rank 0 prints to this terminal; the others write logs into a temporary folder,
 * kept (and named) when a worker's failure is reported. SIGINT/SIGTERM here is passed on as one stop request to
 * each worker, so they stop together after the same step and rank 0 saves the state.
 */
final class LocalWorkers {

    /** How long the workers may take to start and meet. */
    private static final Duration MEETING = Duration.ofMinutes(3);
    /** How long the others may take to end (with their own error) after one failed. */
    private static final long GRACE_SECONDS = 60;

    private LocalWorkers() {}

    /** Launches the workers of {@code args} (a twa4j command line), waits for them and returns the exit code. */
    static int launch(List<String> args, int workers, PrintStream out) {
        Path logs;
        try {
            logs = Files.createTempDirectory("twa4j-workers-");
        } catch (IOException e) {
            throw RunError.input("cannot create a folder for the workers' logs: " + e.getMessage());
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        out.printf(Locale.ROOT, "starting %d workers on this machine (%d intra-op thread%s each); rank 0 reports here, the others log to %s%n",
                workers, threads, threads == 1 ? "" : "s", logs);
        try (Rendezvous rendezvous = Rendezvous.start("127.0.0.1", workers, MEETING)) {
            String address = rendezvous.address().getHostString() + ":" + rendezvous.address().getPort();
            List<Process> processes = new ArrayList<>();
            try {
                for (int rank = 0; rank < workers; rank++) {
                    processes.add(start(args, rank, address, threads, logs));
                }
                forwardStops(processes);
                return waitFor(processes, logs, out);
            } finally {
                processes.forEach(Process::destroyForcibly);
            }
        }
    }

    private static Process start(List<String> args, int rank, String address, int threads, Path logs) {
        List<String> command = new ArrayList<>(javaCommand(threads));
        command.addAll(args);
        command.addAll(List.of("--rank", Integer.toString(rank), "--rendezvous", address,
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (rank == 0) {
            builder.inheritIO();
        } else {
            builder.redirectErrorStream(true).redirectOutput(log(logs, rank).toFile()).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null")));
        }
        try {
            return builder.start();
        } catch (IOException e) {
            throw RunError.input("cannot start worker " + rank + ": " + e.getMessage());
        }
    }

    /** This JVM's command line (java, its options with the thread count replaced, class path, main class). */
    static List<String> javaCommand(int threads) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!option.startsWith("-Dai.djl.pytorch.num_threads=")) {
                command.add(option);
            }
        }
        command.add("-Dai.djl.pytorch.num_threads=" + threads);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Twa4j.class.getName()));
        return command;
    }

    private static Path log(Path logs, int rank) {
        return logs.resolve("rank-" + rank + ".log");
    }

    /** The first SIGINT/SIGTERM becomes one SIGTERM to each worker (a stop request); a second ends them at once. */
    private static void forwardStops(List<Process> processes) {
        AtomicBoolean asked = new AtomicBoolean();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (asked.getAndSet(true)) {
                        processes.forEach(Process::destroyForcibly);
                        return;
                    }
                    System.err.println("twa4j: " + signal.getName() + " received; the workers stop after the current step");
                    processes.forEach(Process::destroy);
                });
            } catch (IllegalArgumentException e) {
                // not available here
            }
        }
    }

    /**
     * Waits for every worker. When one fails, the others get {@link #GRACE_SECONDS} to end with
     * their own error, then are killed. Returns rank 0's exit code when it failed or all went well,
     * else the first failed worker's; a failed worker is named with its log's last line when rank
     * 0 did not say what went wrong (it succeeded, or only lost a worker).
     */
    private static int waitFor(List<Process> processes, Path logs, PrintStream out) {
        int failed = -1;
        long deadline = Long.MAX_VALUE;
        while (processes.stream().anyMatch(Process::isAlive) && System.nanoTime() < deadline) {
            for (int rank = 0; rank < processes.size(); rank++) {
                Process process = processes.get(rank);
                if (failed < 0 && !process.isAlive() && process.exitValue() != 0) {
                    failed = rank;
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
                }
            }
            sleep();
        }
        processes.forEach(Process::destroyForcibly);
        int leader = exitCode(processes.get(0));
        int follower = failed > 0 ? failed : firstFailure(processes);
        // rank 0 has said what went wrong unless it only lost a worker: then the worker's own line is the cause
        if (follower <= 0 || (leader != 0 && leader != ExitCode.WORKER_LOST)) {
            deleteLogs(logs); // kept only where a worker's failure is named
            return leader;
        }
        int code = exitCode(processes.get(follower));
        out.flush();
        System.err.printf(Locale.ROOT, "twa4j: worker %d failed (exit %d): %s (its log: %s)%n", follower, code,
                lastLine(log(logs, follower)), log(logs, follower));
        return leader != 0 ? leader : code;
    }

    /** The first rank after 0 that failed, or -1. */
    private static int firstFailure(List<Process> processes) {
        for (int rank = 1; rank < processes.size(); rank++) {
            if (exitCode(processes.get(rank)) != 0) {
                return rank;
            }
        }
        return -1;
    }

    private static int exitCode(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            return process.isAlive() ? ExitCode.FAILURE : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last line of a worker's log that says something. */
    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
            return "(its log is empty)";
        } catch (IOException e) {
            return "(its log cannot be read: " + e.getMessage() + ")";
        }
    }

    private static void deleteLogs(Path logs) {
        try {
            io.twa4j.run.RunDirectory.deleteTree(logs);
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
