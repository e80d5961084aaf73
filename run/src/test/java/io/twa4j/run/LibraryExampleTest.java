package io.twa4j.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twa4j.core.snapshot.SnapshotStore;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingJob;
import io.twa4j.run.twa.SnapshotTwa;
import io.twa4j.run.twa.TwaResult;
import io.twa4j.run.twa.TwaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example: from Java, train {@code cnn} on synthetic data for 2 epochs (two snapshots each) into
 * a run directory and run TWA on its snapshots, with the run module alone (no command line).
 */
class LibraryExampleTest {

    @TempDir
    Path temp;

    @Test
    void trainThenTwaFromJava() throws Exception {
        Path dir = temp.resolve("run");
        // --- the README's example, as written there ---
        RunConfig config = RunConfig.train(DataConfig.of("synthetic").limit(2000, 500), "cnn", OptimizerConfig.reference(2, 0.05), 2);
        TrainingJob.Outcome trained = TrainingJob.start(TrainingJob.Request.of(config, dir), Console.of(System.out));
        TwaSettings settings = TwaSettings.reference(0, 5, config.data().batchSize()).withEpochs(1, "linear");
        TwaResult twa = SnapshotTwa.run(dir, SnapshotTwa.Request.of(settings), Console.of(System.out));
        System.out.printf("SGD %.4f, average %.4f, TWA %.4f%n", trained.epochs().get(1).test().top1(), twa.average().top1(),
                twa.twa().top1());
        // ---
        assertThat(trained.epochs()).hasSize(2);
        assertThat(SnapshotStore.open(dir).size()).isEqualTo(5);
        assertThat(twa.directory()).isEqualTo(dir.resolve("twa/p0-5"));
        assertThat(twa.directory().resolve("weights.safetensors")).isRegularFile();
        assertThat(Files.readAllLines(twa.directory().resolve("coefficients.csv"))).hasSize(6);
        assertThat(twa.epochs()).hasSize(1);
        assertThat(twa.twa().examples()).isEqualTo(500);
        assertThat(twa.twa().top1()).isGreaterThan(0.5); // the synthetic set is learnable: chance is 0.1
        assertThat(RunDirectory.open(dir).readConfig()).isEqualTo(config);
    }

    @Test
    void theCommandLineIsNotOnThisModulesClasspath() {
        assertThatThrownBy(() -> Class.forName("picocli.CommandLine")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("io.twa4j.cli.Twa4j")).isInstanceOf(ClassNotFoundException.class);
    }
}
