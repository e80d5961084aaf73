package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --workers 2}: two worker processes on this machine write the files one process writes;
 * a worker killed with SIGKILL ends the command with an error naming it, and {@code --resume}
 * then ends where the uninterrupted two-worker run does, bit for bit.
 */
@Timeout(900)
class WorkersTest {

    @TempDir
    Path temp;

    private static List<String> train(Path run, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--data", "synthetic", "--model", "cnn", "--epochs", "3", "--lr", "0.05",
                "--train-limit", "2048", "--test-limit", "128", "--seed", "7", "--device", "cpu", "--run", run.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    private int run(String name, List<String> args) throws Exception {
        return ChildProcess.run(temp.resolve(name + ".log"), args.toArray(String[]::new));
    }

    @Test
    void twoWorkersTrainAndTwaWritingWhatOneProcessWrites() throws Exception {
        Path single = temp.resolve("single");
        Path two = temp.resolve("two");
        assertThat(run("single", train(single))).isZero();
        assertThat(run("two", train(two, "--workers", "2"))).as(log("two")).isZero();
        assertThat(TinyRun.files(two)).isEqualTo(TinyRun.files(single));
        assertThat(Files.readAllLines(two.resolve("metrics.jsonl"))).hasSameSizeAs(Files.readAllLines(single.resolve("metrics.jsonl")));
        assertThat(log("two")).contains("starting 2 workers");

        List<String> twa = List.of("twa", "--params-start", "0", "--params-end", "3", "--epochs", "1", "--lr", "0.5");
        List<String> onSingle = new ArrayList<>(twa);
        onSingle.addAll(List.of("--run", single.toString()));
        List<String> onTwo = new ArrayList<>(twa);
        onTwo.addAll(List.of("--run", two.toString(), "--workers", "2"));
        assertThat(run("twa-single", onSingle)).isZero();
        assertThat(run("twa-two", onTwo)).as(log("twa-two")).isZero();
        assertThat(TinyRun.files(two)).isEqualTo(TinyRun.files(single));
    }

    @Test
    void aKilledWorkerEndsTheCommandNamingItAndResumeEndsWhereTheUninterruptedRunDoes() throws Exception {
        Path straight = temp.resolve("straight");
        assertThat(run("straight", train(straight, "--workers", "2"))).as(log("straight")).isZero();

        Path killed = temp.resolve("killed");
        ChildProcess launcher = ChildProcess.start(temp.resolve("killed.log"), train(killed, "--workers", "2").toArray(String[]::new));
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!Files.exists(killed.resolve("snapshots/000001.safetensors")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ProcessHandle worker = rankOne(launcher.pid()).orElseThrow(() -> new AssertionError("no worker of rank 1: " + launcher.output()));
        worker.destroyForcibly();
        int code = launcher.waitFor(180);
        assertThat(code).as(launcher.output()).isNotZero();
        assertThat(launcher.output()).containsPattern("rank 1|worker 1");

        assertThat(run("resumed", List.of("train", "--run", killed.toString(), "--resume", "--workers", "2")))
                .as(log("resumed")).isZero();
        assertThat(Files.readAllBytes(killed.resolve("snapshots/000003.safetensors")))
                .isEqualTo(Files.readAllBytes(straight.resolve("snapshots/000003.safetensors")));
    }

    /** The worker process of rank 1 started by the launcher {@code pid}. */
    private static Optional<ProcessHandle> rankOne(long pid) {
        return ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).filter(process -> {
            List<String> args = ChildProcess.commandLine(process);
            int at = args.indexOf("--rank");
            return at >= 0 && at + 1 < args.size() && args.get(at + 1).equals("1");
        }).findFirst();
    }

    private String log(String name) throws IOException {
        return Files.readString(temp.resolve(name + ".log"));
    }
}
