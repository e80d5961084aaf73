package io.twa4j.run.twa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.twa4j.run.Console;
import io.twa4j.run.RunError;
import io.twa4j.run.config.DataConfig;
import io.twa4j.run.config.OptimizerConfig;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.train.TrainingJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TWA-v: the coefficients trained on the run's held-out images; every metrics line of the run then has val_acc. */
class TwaOnHeldOutTest {

    @TempDir
    Path temp;

    @Test
    void twaTrainsOnTheHeldOutImagesOfItsRun() throws Exception {
        RunConfig config = RunConfig.train(DataConfig.of("synthetic").limit(800, 200).heldOut(null, 160), "cnn",
                OptimizerConfig.reference(2, 0.05), 1);
        Path run = temp.resolve("run");
        TrainingJob.start(TrainingJob.Request.of(config, run), Console.silent());
        TwaSettings onHeldOut = TwaSettings.reference(0, 3, 32).withEpochs(1, "linear").trainedOn("val").named("v");
        TwaResult result = SnapshotTwa.run(run, new SnapshotTwa.Request(onHeldOut, Device.cpu(), false, false), Console.silent());
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2 + 3).allMatch(line -> line.contains("\"val_acc\":"));
        // one TWA epoch over the 160 held-out images in batches of 32: 5 steps
        assertThat(lines.get(3)).contains("\"phase\":\"twa\"");
        assertThat(result.epochs()).hasSize(1);
        assertThat(Files.readString(result.directory().resolve("summary.json"))).contains("\"train_on\" : \"val\"");

        RunConfig noSplit = RunConfig.train(DataConfig.of("synthetic").limit(800, 200), "cnn", OptimizerConfig.reference(1, 0.05), 1);
        Path plain = temp.resolve("plain");
        TrainingJob.start(TrainingJob.Request.of(noSplit, plain), Console.silent());
        assertThatThrownBy(() -> SnapshotTwa.run(plain, SnapshotTwa.Request.of(TwaSettings.reference(0, 2, 32).trainedOn("val")),
                Console.silent())).isInstanceOfSatisfying(RunError.class, e -> assertThat(e.kind()).isEqualTo(RunError.Kind.SETTINGS))
                .hasMessageContaining("holds out no training images");
        assertThat(plain.resolve("twa")).doesNotExist();
    }
}
