package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.FileDigest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed (SIGKILL) or stopped (SIGTERM) part-way and resumed ends byte-identical to one that
 * ran through: every snapshot, the SWA and EMA results, and the metrics apart from timings.
 */
class ResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** SWA with an EMA, two snapshots per epoch: every kind of state there is. */
    private static final List<String> SWA = List.of("swa", "--data", "synthetic", "--model", "cnn", "--epochs", "3",
            "--swa-start", "2", "--swa-lr", "0.02", "--lr-init", "0.05", "--eval-freq", "1", "--ema-decay", "0.9",
            "--snapshots-per-epoch", "2", "--train-limit", "1536", "--batch-size", "64", "--test-limit", "100", "--seed", "7");

    @TempDir
    static Path temp;

    private static Path reference;

    @BeforeAll
    static void uninterrupted() throws Exception {
        reference = temp.resolve("reference");
        int code = ChildProcess.run(temp.resolve("reference.log"), args(SWA, reference));
        assertThat(code).as(Files.readString(temp.resolve("reference.log"))).isZero();
    }

    private static String[] args(List<String> base, Path run, String... extra) {
        return Stream.concat(Stream.concat(base.stream(), Stream.of("--run", run.toString())), Stream.of(extra))
                .toArray(String[]::new);
    }

    /** Waits until the run has finished its first epoch (a metrics line), then {@code delayMillis} more. */
    private static void waitIntoSecondEpoch(ChildProcess child, Path run, long delayMillis) throws Exception {
        long deadline = System.nanoTime() + 240_000_000_000L;
        while (!Files.exists(run.resolve("metrics.jsonl")) || Files.readAllLines(run.resolve("metrics.jsonl")).isEmpty()) {
            assertThat(child.isAlive()).as(child.output()).isTrue();
            assertThat(System.nanoTime()).as("first epoch within 240 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        Thread.sleep(delayMillis);
    }

    private static void assertSameAsReference(Path run) throws IOException {
        for (String file : List.of("swa.safetensors", "ema.safetensors", "snapshots/manifest.json")) {
            assertThat(sha256(run.resolve(file))).as(file).isEqualTo(sha256(reference.resolve(file)));
        }
        try (Stream<Path> snapshots = Files.list(reference.resolve("snapshots"))) {
            for (Path snapshot : snapshots.toList()) {
                Path resumed = run.resolve("snapshots").resolve(snapshot.getFileName());
                assertThat(sha256(resumed)).as(snapshot.getFileName().toString()).isEqualTo(sha256(snapshot));
            }
        }
        assertThat(withoutTimings(run)).isEqualTo(withoutTimings(reference));
    }

    private static String sha256(Path file) throws IOException {
        return FileDigest.of(file).sha256Hex();
    }

    /** The metrics lines without wall times and memory figures, which differ from run to run. */
    private static List<String> withoutTimings(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().map(line -> {
            try {
                ObjectNode node = (ObjectNode) JSON.readTree(line);
                node.remove(List.of("seconds", "data_wait_seconds", "rss_mb", "jvm_heap_mb"));
                return node.toString();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void killedMidEpochAndResumedIsByteIdentical() throws Exception {
        Path run = temp.resolve("killed");
        ChildProcess child = ChildProcess.start(temp.resolve("killed.log"), args(SWA, run));
        waitIntoSecondEpoch(child, run, 700);
        assertThat(child.isAlive()).as("still training when killed: " + child.output()).isTrue();
        child.kill();
        assertThat(run.resolve("swa.safetensors")).as("killed before the end").doesNotExist();

        int code = ChildProcess.run(temp.resolve("resumed.log"), "swa", "--run", run.toString(), "--resume");
        String output = Files.readString(temp.resolve("resumed.log"));
        assertThat(code).as(output).isZero();
        assertThat(output).contains("continuing at epoch");
        assertSameAsReference(run);
    }

    @Test
    void sigtermSavesTheStateSaysHowToResumeAndResumes() throws Exception {
        Path run = temp.resolve("terminated");
        ChildProcess child = ChildProcess.start(temp.resolve("terminated.log"), args(SWA, run));
        waitIntoSecondEpoch(child, run, 300);
        child.terminate();
        int code = child.waitFor(120);
        assertThat(code).as(child.output()).isEqualTo(ExitCode.STOPPED);
        assertThat(child.output()).contains("twa4j swa --run " + run + " --resume");

        int resumed = ChildProcess.run(temp.resolve("after-term.log"), "train", "--run", run.toString(), "--resume");
        assertThat(resumed).as(Files.readString(temp.resolve("after-term.log"))).isZero();
        assertSameAsReference(run);
    }

    @Test
    void twaKilledMidwayAndResumedIsByteIdentical() throws Exception {
        List<String> twa = List.of("--params-start", "2", "--params-end", "7", "--epochs", "3", "--lr", "0.5", "--name", "tail");
        Path done = copyOfReference("twa-done");
        int code = ChildProcess.run(temp.resolve("twa-done.log"), twaArgs(done, twa));
        assertThat(code).as(Files.readString(temp.resolve("twa-done.log"))).isZero();

        Path run = copyOfReference("twa-killed");
        long before = Files.readAllLines(run.resolve("metrics.jsonl")).size();
        ChildProcess child = ChildProcess.start(temp.resolve("twa-killed.log"), twaArgs(run, twa));
        long deadline = System.nanoTime() + 240_000_000_000L;
        while (Files.readAllLines(run.resolve("metrics.jsonl")).stream().skip(before).noneMatch(line -> line.contains("\"phase\":\"twa\""))) {
            assertThat(child.isAlive()).as(child.output()).isTrue();
            assertThat(System.nanoTime()).as("a TWA epoch within 240 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        Thread.sleep(400);
        assertThat(child.isAlive()).as("still in TWA when killed: " + child.output()).isTrue();
        child.kill();
        assertThat(run.resolve("twa/tail")).doesNotExist();

        List<String> resumed = new java.util.ArrayList<>(List.of(twaArgs(run, twa)));
        resumed.add("--resume");
        code = ChildProcess.run(temp.resolve("twa-resumed.log"), resumed.toArray(String[]::new));
        String output = Files.readString(temp.resolve("twa-resumed.log"));
        assertThat(code).as(output).isZero();
        assertThat(output).contains("continuing TWA tail");
        for (String file : List.of("weights.safetensors", "coefficients.csv")) {
            assertThat(sha256(run.resolve("twa/tail").resolve(file))).as(file).isEqualTo(sha256(done.resolve("twa/tail").resolve(file)));
        }
        assertThat(withoutTimings(run)).isEqualTo(withoutTimings(done));
        assertThat(run.resolve("state/twa-tail")).as("states are dropped once the result is in place").doesNotExist();
    }

    private static String[] twaArgs(Path run, List<String> flags) {
        return Stream.concat(Stream.of("twa", "--run", run.toString()), flags.stream()).toArray(String[]::new);
    }

    private static Path copyOfReference(String name) throws IOException {
        Path copy = temp.resolve(name);
        try (Stream<Path> files = Files.walk(reference)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(reference.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return copy;
    }
}
