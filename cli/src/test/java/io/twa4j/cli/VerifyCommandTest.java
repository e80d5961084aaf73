package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twa4j.core.io.FileDigest;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.run.RunLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** twa4j verify checks a whole run and lists every problem, each by file (and snapshot index or line). */
class VerifyCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private static Path run;

    @BeforeAll
    static void trainWithTwa() {
        run = TinyRun.train(temp.resolve("run"));
    }

    /** The problems of a --json verify as "file|index|line|kind" strings, after checking the exit code matches. */
    private static List<String> problems(Path dir) throws IOException {
        CliRunner.Result result = CliRunner.run("verify", "--run", dir.toString(), "--json");
        JsonNode report = JSON.readTree(result.out());
        assertThat(result.exitCode()).as(result.out()).isEqualTo(report.get("ok").asBoolean() ? ExitCode.OK : ExitCode.BAD_INPUT);
        List<String> out = new ArrayList<>();
        for (JsonNode p : report.get("problems")) {
            assertThat(p.get("message").asText()).doesNotContain("\n").contains(dir.resolve(p.get("file").asText()).toString());
            out.add(p.get("file").asText() + "|" + (p.has("index") ? p.get("index").asInt() : "") + "|"
                    + (p.has("line") ? p.get("line").asInt() : "") + "|" + p.get("kind").asText());
        }
        return out;
    }

    @Test
    void anIntactRunPassesWithASummary() throws IOException {
        CliRunner.Result result = CliRunner.run("verify", "--run", run.toString());
        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out().strip().lines()).containsExactly(
                "run " + run + " is intact: 5 metrics lines, 3 snapshots and 5 result files check out");
        assertThat(problems(run)).isEmpty();
    }

    @Test
    void everyProblemOfADamagedRunIsListed() throws IOException {
        Path copy = TinyRun.copy(run, temp.resolve("damaged"));
        Path snapshots = copy.resolve("snapshots");
        Path twa = copy.resolve(TinyRun.TWA);
        TinyRun.truncate(snapshots.resolve("000001.safetensors"), 1000);
        TinyRun.flip(snapshots.resolve("000002.safetensors"), -5);
        Files.delete(twa.resolve("plots/accuracy.png"));
        TinyRun.flip(twa.resolve("coefficients.csv"), 5);
        Files.writeString(twa.resolve("summary.json"), " ", StandardOpenOption.APPEND);
        Files.writeString(copy.resolve("notes.txt"), "mine");
        Files.copy(snapshots.resolve("000000.safetensors"), snapshots.resolve("000003.safetensors"));
        Files.writeString(snapshots.resolve(".000003.safetensors.k2j3.tmp"), "half");
        Files.createDirectories(copy.resolve("twa/.p0-9.partial-123/plots"));
        Files.writeString(copy.resolve("twa/.p0-9.partial-123/summary.json"), "{");
        List<String> metrics = new ArrayList<>(Files.readAllLines(copy.resolve("metrics.jsonl")));
        metrics.set(1, "not json");
        Files.writeString(copy.resolve("metrics.jsonl"), String.join("\n", metrics) + "\n{\"phase\": \"tr", StandardCharsets.UTF_8);

        assertThat(problems(copy)).containsExactlyInAnyOrder(
                "metrics.jsonl||2|malformed",
                "metrics.jsonl||6|malformed",
                "snapshots/000001.safetensors|1||truncated",
                "snapshots/000002.safetensors|2||corrupt",
                TinyRun.TWA + "/coefficients.csv|||corrupt",
                TinyRun.TWA + "/plots/accuracy.png|||missing",
                TinyRun.TWA + "/summary.json|||longer",
                "notes.txt|||unlisted",
                "snapshots/.000003.safetensors.k2j3.tmp|||temporary",
                "snapshots/000003.safetensors|3||unlisted",
                "twa/.p0-9.partial-123|||temporary");

        CliRunner.Result text = CliRunner.run("verify", "--run", copy.toString());
        assertThat(text.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        List<String> lines = text.out().strip().lines().toList();
        assertThat(lines).hasSize(12);
        assertThat(lines.get(11)).isEqualTo("run " + copy + ": 11 problems; 4 metrics lines, 1 snapshot and 2 result files check out");
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("snapshot 1: " + snapshots.resolve("000001.safetensors"))
                .contains("truncated: 1000 bytes"));
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("snapshot 2: ").contains("corrupt"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("line 6 is cut short"));
        assertThat(text.err()).isEmpty();
    }

    @Test
    void aSnapshotOfTheWrongShapeIsFoundBehindAValidChecksum() throws IOException {
        Path copy = TinyRun.copy(run, temp.resolve("shape"));
        Path file = copy.resolve("snapshots/000001.safetensors");
        String first;
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = SafeTensors.read(file, manager);
            first = tensors.keySet().iterator().next();
            tensors.put(first, manager.zeros(new Shape(3)));
            FileDigest digest = SafeTensors.write(file, tensors, Map.of());
            Path manifest = copy.resolve("snapshots/manifest.json");
            JsonNode root = JSON.readTree(manifest.toFile());
            ObjectNode entry = (ObjectNode) root.get("snapshots").get(1);
            entry.put("bytes", digest.bytes());
            entry.put("sha256", digest.sha256Hex());
            JSON.writeValue(manifest.toFile(), root);
        }
        assertThat(problems(copy)).containsExactly("snapshots/000001.safetensors|1||mismatch");
        CliRunner.Result text = CliRunner.run("verify", "--run", copy.toString());
        assertThat(text.out()).contains("snapshot 1: " + file + " does not match model cnn: parameter " + first + " has shape (3)");
    }

    @Test
    void damagedManifestsAndConfigurationAreEachOneProblem() throws IOException {
        Path copy = TinyRun.copy(run, temp.resolve("manifests"));
        Files.writeString(copy.resolve("run.json"), "{\"model\": ");
        TinyRun.truncate(copy.resolve("snapshots/manifest.json"), 100);
        Files.writeString(copy.resolve("results.json"), "garbage");
        Files.delete(copy.resolve("metrics.jsonl"));
        assertThat(problems(copy)).containsExactly(
                "run.json|||malformed",
                "metrics.jsonl|||missing",
                "snapshots/manifest.json|||malformed",
                "results.json|||malformed");
        CliRunner.Result text = CliRunner.run("verify", "--run", copy.toString());
        assertThat(text.out()).contains("its 3 snapshot files cannot be checked without it")
                .contains("the result files cannot be checked without it");
    }

    @Test
    void aRunInUseSaysSoAndListsWhatAWriteLeavesAsInProgressNotAsProblems() throws IOException {
        Path copy = TinyRun.copy(run, temp.resolve("in-use"));
        Files.writeString(copy.resolve("snapshots/.000003.safetensors.k2j3.tmp"), "half");
        Files.copy(copy.resolve("snapshots/000000.safetensors"), copy.resolve("snapshots/000003.safetensors"));
        Files.writeString(copy.resolve("metrics.jsonl"), "\"phase\": \"tr", StandardOpenOption.APPEND); // an append in progress
        List<String> inProgress = List.of("metrics.jsonl||6|malformed", "snapshots/.000003.safetensors.k2j3.tmp|||temporary",
                "snapshots/000003.safetensors|3||unlisted");
        try (RunLock writer = RunLock.acquire(copy, "twa4j train --resume")) {
            CliRunner.Result result = CliRunner.run("verify", "--run", copy.toString(), "--json");
            assertThat(result.exitCode()).as(result.out()).isZero();
            JsonNode report = JSON.readTree(result.out());
            assertThat(report.get("ok").asBoolean()).isTrue();
            assertThat(report.get("in_use").get("command").asText()).isEqualTo("twa4j train --resume");
            assertThat(report.get("in_use").get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(report.get("problems")).isEmpty();
            List<String> listed = new ArrayList<>();
            report.get("in_progress").forEach(p -> listed.add(p.get("file").asText() + "|" + (p.has("index") ? p.get("index").asInt() : "")
                    + "|" + (p.has("line") ? p.get("line").asInt() : "") + "|" + p.get("kind").asText()));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(inProgress);

            TinyRun.flip(copy.resolve("snapshots/000002.safetensors"), -5); // damage stays damage
            assertThat(problems(copy)).containsExactly("snapshots/000002.safetensors|2||corrupt");
            List<String> lines = CliRunner.run("verify", "--run", copy.toString()).out().strip().lines().toList();
            assertThat(lines.get(0)).startsWith("run " + copy + " is in use by `twa4j train --resume` (pid " + ProcessHandle.current().pid())
                    .contains("files may be mid-write");
            assertThat(lines).filteredOn(line -> line.startsWith("in progress: ")).hasSize(3);
            assertThat(lines.get(lines.size() - 1)).isEqualTo("run " + copy + ": 1 problem; 5 metrics lines, 2 snapshots and 5 result files"
                    + " check out; 3 in progress");
        }
        List<String> free = new ArrayList<>(inProgress);
        free.add("snapshots/000002.safetensors|2||corrupt");
        assertThat(problems(copy)).as("no writer: leftovers").containsExactlyInAnyOrderElementsOf(free);
    }

    @Test
    void aMissingRunIsOneLine() {
        CliRunner.Result result = CliRunner.run("verify", "--run", temp.resolve("nothing").toString());
        assertThat(result.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(result.err().strip()).isEqualTo("twa4j: no run directory at " + temp.resolve("nothing"));
    }
}
