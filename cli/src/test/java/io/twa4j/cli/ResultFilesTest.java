package io.twa4j.cli;

import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.Workspace;
import io.twa4j.run.check.DiskSpace;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingPlan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twa4j.core.io.AtomicFiles;
import io.twa4j.core.io.FileDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Result files are recorded in RUN/results.json when written and checked before they are read. */
class ResultFilesTest {

    @TempDir
    static Path temp;

    private static Path run;

    @BeforeAll
    static void trainWithTwa() {
        run = TinyRun.train(temp.resolve("run"));
    }

    @Test
    void theTwaResultIsListedWithItsSizesAndChecksums() throws IOException {
        Map<String, FileDigest> listed = RunDirectory.open(run).results().entries();
        assertThat(listed).containsOnlyKeys(TinyRun.TWA + "/weights.safetensors", TinyRun.TWA + "/coefficients.csv",
                TinyRun.TWA + "/summary.json", TinyRun.TWA + "/plots/accuracy.png", TinyRun.TWA + "/plots/coefficients.png");
        for (Map.Entry<String, FileDigest> entry : listed.entrySet()) {
            assertThat(FileDigest.of(run.resolve(entry.getKey()))).as(entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    @Test
    void evalChecksAWeightsFileInsideTheRunBeforeReadingIt() throws IOException {
        Path copy = TinyRun.copy(run, temp.resolve("eval"));
        Path weights = copy.resolve(TinyRun.TWA + "/weights.safetensors");
        CliRunner.Result clean = CliRunner.run("eval", "--run", copy.toString(), "--weights", weights.toString(), "--json");
        assertThat(clean.exitCode()).as(clean.err()).isZero();

        TinyRun.flip(weights, -3); // a parameter value, not the header: it would load without complaint
        CliRunner.Result corrupt = CliRunner.run("eval", "--run", copy.toString(), "--weights", weights.toString());
        assertThat(corrupt.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(corrupt.err()).contains(weights.toString()).contains("corrupt").contains("results.json");
        assertThat(corrupt.err().strip().lines()).hasSize(1);

        Path unlisted = copy.resolve("mine.safetensors");
        Files.copy(run.resolve(TinyRun.TWA + "/weights.safetensors"), unlisted);
        CliRunner.Result stray = CliRunner.run("eval", "--run", copy.toString(), "--weights", unlisted.toString());
        assertThat(stray.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(stray.err()).contains(unlisted.toString()).contains("not listed");

        TinyRun.truncate(copy.resolve("snapshots/000001.safetensors"), 1000);
        CliRunner.Result snapshot = CliRunner.run("eval", "--run", copy.toString(), "--weights",
                copy.resolve("snapshots/000001.safetensors").toString());
        assertThat(snapshot.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(snapshot.err()).contains("snapshot 1").contains("000001.safetensors").contains("truncated");

        // the same bytes outside the run: nothing vouches for them and nothing is checked
        Path outside = temp.resolve("outside.safetensors");
        Files.copy(run.resolve(TinyRun.TWA + "/weights.safetensors"), outside);
        CliRunner.Result free = CliRunner.run("eval", "--run", copy.toString(), "--weights", outside.toString(), "--json");
        assertThat(free.exitCode()).as(free.err()).isZero();
        assertThat(free.out().replaceAll("\"source\":\"[^\"]*\",", ""))
                .isEqualTo(clean.out().replaceAll("\"source\":\"[^\"]*\",", ""));
    }

    @Test
    void writeResultRecordsWhatTheWriterWroteAndReplacesTheOldEntry() throws IOException {
        RunDirectory dir = RunDirectory.create(temp.resolve("api"), false);
        Path file = dir.writeResult("swa/ema.txt", f -> AtomicFiles.writeString(f, "first"));
        assertThat(file).isEqualTo(dir.root().resolve("swa/ema.txt")).hasContent("first");
        assertThat(dir.results().entries()).containsEntry("swa/ema.txt", FileDigest.of(file));
        dir.checkBeforeRead(file);

        dir.writeResult("swa/ema.txt", f -> AtomicFiles.writeString(f, "second, longer"));
        assertThat(dir.results().entries()).containsExactly(Map.entry("swa/ema.txt", FileDigest.of(file)));

        // a failed write records nothing, and the old entry no longer vouches for the file
        assertThatThrownBy(() -> dir.writeResult("swa/ema.txt", f -> {
            throw new IOException("disk full");
        })).isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk full");
        assertThat(dir.results().entries()).isEmpty();

        Path recorded = dir.writeResult("swa.safetensors", f -> AtomicFiles.writeString(f, "weights"));
        Files.writeString(recorded, "weightz");
        assertThatThrownBy(() -> dir.checkBeforeRead(recorded))
                .isInstanceOfSatisfying(RunError.class, e -> assertThat(e.kind()).isEqualTo(RunError.Kind.INPUT))
                .hasMessageContaining(recorded.toString()).hasMessageContaining("corrupt");
        assertThat(dir.recordResult(recorded)).isEqualTo(FileDigest.of(recorded));
        dir.checkBeforeRead(recorded);
    }

    @Test
    void resultPathsMayNotLeaveTheRunOrReplaceItsBookkeeping() {
        RunDirectory dir = RunDirectory.create(temp.resolve("paths"), false);
        for (String bad : new String[] {"", "../x", "/tmp/x", "run.json", "metrics.jsonl", "results.json",
            "snapshots/000000.safetensors", ".hidden", "swa/.x.tmp", "swa/../../x"}) {
            assertThatThrownBy(() -> dir.writeResult(bad, f -> AtomicFiles.writeString(f, "x"))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(dir.root().resolve("results.json")).doesNotExist();
    }
}
