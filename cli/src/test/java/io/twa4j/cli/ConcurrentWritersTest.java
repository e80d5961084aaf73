package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.RunLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per run (RUN/lock), between processes: a command that would write a run another
 * process writes is refused at once, naming it; the lock of a process killed with SIGKILL is free
 * at once; readers work beside a writer, and verify says "in use" instead of reporting its files
 * as damage. The holder is a real twa4j command in a child JVM, long enough to outlive the checks
 * (it is killed after them); the second command runs in this JVM.
 */
class ConcurrentWritersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Synthetic data, 47 steps per epoch on one thread, 30 epochs: minutes, far longer than a check. */
    private static final List<String> LONG_TRAIN = List.of("train", "--data", "synthetic", "--model", "cnn", "--epochs", "30",
            "--lr", "0.05", "--test-limit", "100", "--snapshots-per-epoch", "4", "--seed", "3");

    /** Seconds, where it is not refused. */
    private static final List<String> SHORT_TRAIN = List.of("train", "--data", "synthetic", "--model", "cnn", "--epochs", "1",
            "--lr", "0.05", "--train-limit", "256", "--test-limit", "100", "--seed", "3", "--device", "cpu");

    @TempDir
    static Path temp;

    /** A run with snapshots 0 and 1 (16 steps per epoch), for TWA. */
    private static Path base;

    @BeforeAll
    static void trainBase() {
        base = temp.resolve("base");
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--model", "cnn", "--epochs", "1", "--lr", "0.05",
                "--train-limit", "2048", "--test-limit", "100", "--seed", "3", "--device", "cpu", "--run", base.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    private static String[] args(List<String> command, Path run, String... extra) {
        return Stream.concat(Stream.concat(command.stream(), Stream.of("--run", run.toString())), Stream.of(extra))
                .toArray(String[]::new);
    }

    /** Waits (up to 120 s) until {@code child}, still running, is where {@code ready} says (a file it writes under the lock). */
    private static void await(ChildProcess child, String what, BooleanSupplier ready) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!ready.getAsBoolean()) {
            assertThat(child.isAlive()).as("the holder runs: " + child.output()).isTrue();
            assertThat(System.nanoTime()).as(what + " within 120 s: " + child.output()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The holder that the lock file of {@code run} names, checked to be {@code child} running {@code command}. */
    private static void assertHolder(Path run, ChildProcess child, String command) {
        assertThat(RunLock.holder(run)).as("held by the child").hasValueSatisfying(holder -> {
            assertThat(holder.pid()).isEqualTo(child.pid());
            assertThat(holder.command()).isEqualTo(command);
        });
    }

    private static boolean exists(Path file) {
        return Files.exists(file);
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Exit 3 and one line: "twa4j: run R is in use by `COMMAND` (pid P on host H, since T); wait for it to finish". */
    private static void assertRefused(CliRunner.Result result, Path run, String command, ChildProcess holder) {
        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
        assertThat(result.err()).startsWith("twa4j: run " + run + " is in use by `" + command + "` (pid " + holder.pid() + " on host ")
                .containsPattern(", since \\d\\d:\\d\\d:\\d\\d\\); wait for it to finish");
        assertThat(holder.isAlive()).as("refused while the holder runs").isTrue();
    }

    @Test
    void aSecondTrainIsRefusedNamingTheFirstAndAKilledHoldersLockIsFreeAtOnce() throws Exception {
        Path run = temp.resolve("train-train");
        ChildProcess first = ChildProcess.start(temp.resolve("train-train.log"), args(LONG_TRAIN, run));
        try {
            await(first, "run.json", () -> exists(run.resolve("run.json")));
            assertRefused(CliRunner.run(args(SHORT_TRAIN, run)), run, "twa4j train", first);
            assertHolder(run, first, "twa4j train");
        } finally {
            first.kill();
        }
        CliRunner.Result after = CliRunner.run(args(SHORT_TRAIN, run, "--overwrite"));
        assertThat(after.exitCode()).as("the SIGKILLed holder's lock went with it: " + after.err()).isZero();
        assertThat(run.resolve(RunLock.FILE)).isRegularFile();
        assertThat(RunLock.holder(run)).isEmpty();
    }

    @Test
    void overwriteIsRefusedWhileAResumeRunsAndReadersWorkBesideIt() throws Exception {
        Path run = temp.resolve("resume-overwrite");
        ChildProcess first = ChildProcess.start(temp.resolve("first.log"), args(LONG_TRAIN, run));
        await(first, "run.json", () -> exists(run.resolve("run.json")));
        first.kill();
        ChildProcess resumed = ChildProcess.start(temp.resolve("resumed.log"), "train", "--run", run.toString(), "--resume");
        try {
            // past the resume's clean-up of the killed run: training again, with a snapshot after its first quarter epoch
            await(resumed, "the resumed run's second snapshot", () -> snapshots(run) >= 2);
            assertRefused(CliRunner.run(args(SHORT_TRAIN, run, "--overwrite")), run, "twa4j train --resume", resumed);
            assertHolder(run, resumed, "twa4j train --resume");
            assertThat(run.resolve("run.json")).as("nothing deleted").isRegularFile();
            assertThat(snapshots(run)).isGreaterThanOrEqualTo(2);

            CliRunner.Result inspect = CliRunner.run("inspect", "--run", run.toString());
            assertThat(inspect.exitCode()).as(inspect.err()).isZero();
            CliRunner.Result eval = CliRunner.run("eval", "--run", run.toString(), "--snapshot", "1", "--json", "--device", "cpu");
            assertThat(eval.exitCode()).as(eval.err()).isZero();
            CliRunner.Result verify = CliRunner.run("verify", "--run", run.toString(), "--json");
            JsonNode report = JSON.readTree(verify.out());
            assertThat(report.get("problems")).as(verify.out()).isEmpty();
            assertThat(verify.exitCode()).as(verify.out()).isZero();
            assertThat(report.get("in_use").get("pid").asLong()).isEqualTo(resumed.pid());
            assertThat(report.get("in_use").get("command").asText()).isEqualTo("twa4j train --resume");
            assertThat(resumed.isAlive()).as("the readers ran beside the writer").isTrue();
        } finally {
            resumed.kill();
        }
    }

    @Test
    void twoTwasOnOneRunAreRefusedWhateverTheirNames() throws Exception {
        Path run = TinyRun.copy(base, temp.resolve("twa-twa"));
        ChildProcess first = ChildProcess.start(temp.resolve("twa-twa.log"), "twa", "--run", run.toString(), "--name", "same",
                "--params-end", "2", "--epochs", "200", "--lr", "0.5");
        try {
            await(first, "the TWA baseline", () -> contains(run.resolve("metrics.jsonl"), "twa-average"));
            String[] same = {"twa", "--run", run.toString(), "--name", "same", "--params-end", "2", "--epochs", "1", "--device", "cpu"};
            assertRefused(CliRunner.run(same), run, "twa4j twa --name same", first);
            same[4] = "other"; // one metrics.jsonl per run: another name is refused too
            assertRefused(CliRunner.run(same), run, "twa4j twa --name same", first);
            assertHolder(run, first, "twa4j twa --name same");
            assertThat(Files.readString(run.resolve("metrics.jsonl"))).doesNotContain("twa-final");
        } finally {
            first.kill();
        }
    }

    @Test
    void noLockWritesWithoutTheLockAndSaysSo() {
        Path run = temp.resolve("no-lock");
        CliRunner.Result result = CliRunner.run(args(SHORT_TRAIN, run, "--no-lock"));
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("note: writing run " + run + " without its lock (--no-lock)");
        assertThat(run.resolve(RunLock.FILE)).doesNotExist();
    }

    private static int snapshots(Path run) {
        try {
            return SnapshotStore.exists(run) ? SnapshotStore.open(run).size() : 0;
        } catch (RuntimeException e) {
            return 0; // being created
        }
    }
}
