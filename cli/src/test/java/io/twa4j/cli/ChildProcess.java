package io.twa4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The twa4j command in a separate JVM, so that a test can kill it like a user or a scheduler would. */
final class ChildProcess {

    private final Process process;
    private final Path log;

    private ChildProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code twa4j args...} with one engine thread (same numerics in every child), output into {@code log}. */
    static ChildProcess start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-Dai.djl.offline=true");
        command.add("-Dai.djl.pytorch.num_threads=1");
        command.add("-Dai.djl.pytorch.num_interop_threads=1");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=error");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Twa4j.class.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildProcess(process, log);
    }

    /**
     * The command line of {@code process}, read whole from /proc (ProcessHandle gives no arguments
     * for a command line as long as a JVM's with its class path); empty when the process is gone.
     */
    static java.util.List<String> commandLine(ProcessHandle process) {
        try {
            byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return java.util.List.of(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return java.util.List.of();
        }
    }

    /** Runs {@code twa4j args...} to the end and returns its exit code. */
    static int run(Path log, String... args) throws IOException, InterruptedException {
        ChildProcess child = start(log, args);
        return child.waitFor(300);
    }

    /** Waits up to {@code seconds} for the exit code; kills the child and fails after that. */
    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("child did not finish in " + seconds + " s: " + output());
        }
        return process.exitValue();
    }

    /** The child's process id. */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no handler runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM. */
    void terminate() {
        process.destroy();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
