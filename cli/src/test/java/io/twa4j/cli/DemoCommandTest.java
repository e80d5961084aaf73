package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, in small: the demo runs end to end and prints its comparison. */
class DemoCommandTest {

    @TempDir
    Path temp;

    @Test
    void theDemoTrainsRunsTwaAndPrintsTheTable() {
        Path run = temp.resolve("demo");
        CliRunner.Result result = CliRunner.run("demo", "--epochs", "2", "--train-limit", "384", "--test-limit", "300",
                "--run", run.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("SGD, full budget").contains("first half + TWA").contains("% of the full run's time");
        assertThat(run.resolve("twa/first-half/summary.json")).isRegularFile();
        assertThat(run.resolve("snapshots/000002.safetensors")).isRegularFile();
    }
}
