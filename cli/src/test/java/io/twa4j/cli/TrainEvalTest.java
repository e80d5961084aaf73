package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on synthetic data: train keeps snapshots and metrics, eval reproduces them. */
class TrainEvalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private static Path run;

    private static String[] trainArgs(Path run) {
        return new String[] {"train", "--data", "synthetic", "--model", "cnn", "--epochs", "2", "--lr", "0.05",
            "--train-limit", "640", "--test-limit", "300", "--snapshots-per-epoch", "2", "--seed", "5",
            "--device", "cpu", "--run", run.toString()};
    }

    @BeforeAll
    static void trainOnce() {
        run = temp.resolve("run");
        CliRunner.Result result = CliRunner.run(trainArgs(run));
        assertThat(result.exitCode()).as(result.err()).isZero();
    }

    @Test
    void trainWritesSnapshotsManifestMetricsAndConfig() throws IOException {
        // index 0 = initialisation, then two per epoch
        for (int i = 0; i <= 4; i++) {
            assertThat(run.resolve(String.format("snapshots/%06d.safetensors", i))).isRegularFile();
        }
        assertThat(run.resolve("snapshots/000005.safetensors")).doesNotExist();
        JsonNode manifest = JSON.readTree(run.resolve("snapshots/manifest.json").toFile());
        JsonNode snapshots = manifest.get("snapshots");
        assertThat(snapshots).hasSize(5);
        assertThat(snapshots.get(0).get("epoch").asInt()).isZero();
        assertThat(snapshots.get(1).get("epoch").asInt()).isZero();
        assertThat(snapshots.get(1).get("step").asInt()).isEqualTo(3); // 5 steps per epoch, halfway rounds to 3
        assertThat(snapshots.get(2).get("epoch").asInt()).isEqualTo(1);
        assertThat(snapshots.get(4).get("epoch").asInt()).isEqualTo(2);
        assertThat(snapshots.get(4).get("metrics").get("test_acc").asDouble()).isBetween(0.0, 1.0);

        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2);
        JsonNode second = JSON.readTree(lines.get(1));
        for (String field : List.of("phase", "epoch", "lr", "train_loss", "train_acc", "test_loss", "test_acc", "seconds")) {
            assertThat(second.has(field)).as(field).isTrue();
        }
        assertThat(second.get("phase").asText()).isEqualTo("train");
        assertThat(second.get("epoch").asInt()).isEqualTo(2);
        // learnable data: better than chance (10 classes) after two epochs
        assertThat(second.get("test_acc").asDouble()).isGreaterThan(0.3);

        JsonNode config = JSON.readTree(run.resolve("run.json").toFile());
        assertThat(config.get("model").asText()).isEqualTo("cnn");
        assertThat(config.get("seed").asLong()).isEqualTo(5);
        assertThat(config.get("versions").get("djl").asText()).isNotBlank();
    }

    @Test
    void evalOfTheLastSnapshotGivesExactlyTheRecordedTestAccuracy() throws IOException {
        CliRunner.Result result = CliRunner.run("eval", "--run", run.toString(), "--snapshot", "4", "--json", "--device", "cpu");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode evaluation = JSON.readTree(result.out().strip());
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        JsonNode recorded = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(evaluation.get("test_acc").asDouble()).isEqualTo(recorded.get("test_acc").asDouble());
        assertThat(evaluation.get("test_loss").asDouble()).isEqualTo(recorded.get("test_loss").asDouble());
    }

    @Test
    void evalOfAWeightsFileMatchesTheSnapshot() {
        Path weights = run.resolve("snapshots/000002.safetensors");
        CliRunner.Result byFile = CliRunner.run("eval", "--run", run.toString(), "--weights", weights.toString(), "--json");
        CliRunner.Result byIndex = CliRunner.run("eval", "--run", run.toString(), "--snapshot", "2", "--json");
        assertThat(byFile.exitCode()).as(byFile.err()).isZero();
        assertThat(byFile.out().replaceAll("\"source\":\"[^\"]*\",", ""))
                .isEqualTo(byIndex.out().replaceAll("\"source\":\"[^\"]*\",", ""));
    }

    @Test
    void weightsOfAnotherShapeAreRefusedNamingTheParameter() throws IOException {
        Path weights = temp.resolve("wrong.safetensors");
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            java.util.Map<String, ai.djl.ndarray.NDArray> tensors =
                    io.twa4j.core.safetensors.SafeTensors.read(run.resolve("snapshots/000001.safetensors"), manager);
            String first = tensors.keySet().iterator().next();
            tensors.put(first, manager.zeros(new ai.djl.ndarray.types.Shape(3)));
            io.twa4j.core.safetensors.SafeTensors.write(weights, tensors, java.util.Map.of());
            CliRunner.Result wrongShape = CliRunner.run("eval", "--run", run.toString(), "--weights", weights.toString());
            assertThat(wrongShape.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(wrongShape.err()).contains("does not match model cnn").contains(first).contains("(3)");
            tensors.remove(first);
            tensors.put("extra", manager.zeros(new ai.djl.ndarray.types.Shape(1)));
            io.twa4j.core.safetensors.SafeTensors.write(weights, tensors, java.util.Map.of());
            CliRunner.Result extra = CliRunner.run("eval", "--run", run.toString(), "--weights", weights.toString());
            assertThat(extra.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(extra.err()).contains("it has parameter extra");
        }
    }

    @Test
    void theSameSeedWritesByteIdenticalSnapshots() throws IOException {
        Path again = temp.resolve("again");
        CliRunner.Result result = CliRunner.run(trainArgs(again));
        assertThat(result.exitCode()).as(result.err()).isZero();
        for (int i = 0; i <= 4; i++) {
            String name = String.format("snapshots/%06d.safetensors", i);
            assertThat(Files.readAllBytes(again.resolve(name))).as(name).isEqualTo(Files.readAllBytes(run.resolve(name)));
        }
    }

    @Test
    void inspectListsEverySnapshot() {
        CliRunner.Result result = CliRunner.run("inspect", "--run", run.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines().filter(line -> line.matches("\\s+\\d+\\s+\\d+\\s+\\d+.*"))).hasSize(5);
    }
}
