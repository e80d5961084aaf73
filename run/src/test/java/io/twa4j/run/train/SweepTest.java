package io.twa4j.run.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.InitConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep trains its entries one after the other, each with its overrides, and continues where it was stopped. */
class SweepTest {

    @TempDir
    Path temp;

    @Test
    void aSweepTrainsEachEntryAndContinuesWhereItStopped() throws Exception {
        RunConfig pre = RunConfig.train(DataConfig.of("synthetic").limit(256, 64), "cnn", OptimizerConfig.reference(1, 0.05), 1);
        TrainingJob.start(TrainingJob.Request.of(pre, temp.resolve("pre")), Console.silent());
        Path file = temp.resolve("sweep.json");
        Files.writeString(file, "[{\"name\": \"a\", \"lr\": 0.02}, {\"name\": \"b\", \"lr\": 0.01, \"seed\": 3, \"epochs\": 2}]");
        RunConfig base = pre.withCommand("finetune").withInit(new InitConfig(temp.resolve("pre") + ":1", false));
        Path sweep = temp.resolve("sweep");
        AtomicInteger steps = new AtomicInteger();
        Console stopsInB = new Console(new PrintStream(OutputStream.nullOutputStream()), phase -> new io.twa4j.run.report.EpochLines(
                phase, new PrintStream(OutputStream.nullOutputStream())), () -> steps.incrementAndGet() == 3); // a: 2 steps
        assertThatThrownBy(() -> Sweep.run(Sweep.read(file), base, sweep, Device.cpu(), stopsInB))
                .isInstanceOfSatisfying(RunError.class, e -> assertThat(e.kind()).isEqualTo(RunError.Kind.STOPPED));
        String a = SnapshotStore.open(sweep.resolve("a")).get(1).sha256();

        List<String> last = Sweep.run(Sweep.read(file), base, sweep, Device.cpu(), Console.silent());
        assertThat(last).containsExactly(sweep.resolve("a") + ":1", sweep.resolve("b") + ":2");
        assertThat(SnapshotStore.open(sweep.resolve("a")).get(1).sha256()).as("a finished run is kept").isEqualTo(a);
        RunConfig b = RunDirectory.open(sweep.resolve("b")).readConfig();
        assertThat(b.optimizer().lr()).isEqualTo(0.01);
        assertThat(b.seed()).isEqualTo(3);
        assertThat(b.epochs()).isEqualTo(2);
        assertThat(RunDirectory.open(sweep.resolve("a")).readConfig().optimizer().lr()).isEqualTo(0.02);
        assertThat(Sweep.ingredients(sweep)).isEqualTo(last);
    }

    @Test
    void aBadSweepFileIsRefusedNamingIt() throws Exception {
        Path file = temp.resolve("bad.json");
        Files.writeString(file, "[{\"name\": \"a\"}, {\"name\": \"a\", \"lr\": 0.1}]");
        assertThatThrownBy(() -> Sweep.read(file)).isInstanceOf(RunError.class).hasMessageContaining(file + ": not a valid sweep")
                .hasMessageContaining("'a' is used twice");
        Files.writeString(file, "[{\"name\": \"a\", \"learning_rate\": 0.1}]");
        assertThatThrownBy(() -> Sweep.read(file)).isInstanceOf(RunError.class).hasMessageContaining("learning_rate");
        Files.writeString(file, "[{\"name\": \"../x\"}]");
        assertThatThrownBy(() -> Sweep.read(file)).isInstanceOf(RunError.class).hasMessageContaining("'name'");
    }
}
