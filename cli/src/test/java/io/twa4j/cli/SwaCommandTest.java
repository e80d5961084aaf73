package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** swa end to end on synthetic data: the average is exactly the mean of the averaged epochs' snapshots. */
class SwaCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private static Path run;

    @BeforeAll
    static void swaRun() {
        run = temp.resolve("swa");
        CliRunner.Result result = CliRunner.run("swa", "--data", "synthetic", "--model", "cnn", "--epochs", "5",
                "--swa-start", "3", "--lr-init", "0.05", "--swa-lr", "0.02", "--eval-freq", "2", "--ema-decay", "0.9",
                "--train-limit", "256", "--test-limit", "100", "--seed", "4", "--run", run.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("SWA of 3 epochs").contains("EMA of");
    }

    private static List<JsonNode> metrics(Path dir) {
        try {
            return Files.readAllLines(dir.resolve("metrics.jsonl")).stream().map(line -> {
                try {
                    return JSON.readTree(line);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that the trainable tensors of {@code file} are the mean of snapshots {@code indices}. */
    private static void assertMeanOfSnapshots(Path dir, Path file, int... indices) {
        try (NDManager manager = NDManager.newBaseManager()) {
            SnapshotStore store = SnapshotStore.open(dir);
            Map<String, NDArray> average = SafeTensors.read(file, manager);
            Map<String, NDArray> last = store.read(store.size() - 1, manager);
            assertThat(average.keySet()).isEqualTo(last.keySet());
            int compared = 0;
            for (String name : average.keySet()) {
                if (name.contains("running")) {
                    continue; // BatchNorm statistics: recomputed, not averaged
                }
                float[] actual = average.get(name).toFloatArray();
                double[] mean = new double[actual.length];
                for (int index : indices) {
                    float[] values = store.read(index, manager).get(name).toFloatArray();
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] += values[i] / (double) indices.length;
                    }
                }
                for (int i = 0; i < actual.length; i++) {
                    assertThat((double) actual[i]).as("%s[%d]", name, i).isCloseTo(mean[i], within(1e-6 + 1e-5 * Math.abs(mean[i])));
                }
                compared++;
            }
            assertThat(compared).isGreaterThan(4);
        }
    }

    @Test
    void swaIsTheMeanOfTheSnapshotsOfTheAveragedEpochs() {
        assertMeanOfSnapshots(run, run.resolve("swa.safetensors"), 3, 4, 5);
    }

    @Test
    void everyFewEpochsTheAverageIsEvaluated() {
        List<JsonNode> swa = metrics(run).stream().filter(line -> line.get("phase").asText().equals("swa")).toList();
        // averaging starts at 3; eval-freq 2 -> after epoch 4, and at the end (5)
        assertThat(swa).extracting(line -> line.get("epoch").asInt()).containsExactly(4, 5);
        assertThat(swa).extracting(line -> line.get("averaged").asInt()).containsExactly(2, 3);
        assertThat(swa.get(1).get("test_acc").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void theLearningRateFollowsTheSwaSchedule() {
        List<JsonNode> train = metrics(run).stream().filter(line -> line.get("phase").asText().equals("train")).toList();
        // span 3: t = 0, 1/3 -> 0.05; t = 2/3 -> 0.05 * (1 - 0.6 * (2/3 - 0.5) / 0.4); then 0.02
        double[] expected = {0.05, 0.05, 0.05 * (1 - 0.6 * (2.0 / 3 - 0.5) / 0.4), 0.02, 0.02};
        assertThat(train).hasSize(5);
        for (int e = 0; e < 5; e++) {
            assertThat(train.get(e).get("lr").asDouble()).as("epoch %d", e + 1).isCloseTo(expected[e], within(1e-12));
        }
    }

    @Test
    void emaIsEvaluatedEveryEpochAndSaved() throws IOException {
        List<JsonNode> ema = metrics(run).stream().filter(line -> line.get("phase").asText().equals("ema")).toList();
        assertThat(ema).extracting(line -> line.get("epoch").asInt()).containsExactly(1, 2, 3, 4, 5);
        assertThat(ema.get(4).has("test_acc_bn_update")).isTrue();
        assertThat(SafeTensors.readHeader(run.resolve("ema.safetensors")).metadata()).containsEntry("phase", "ema");
        JsonNode config = JSON.readTree(run.resolve("run.json").toFile());
        assertThat(config.get("swa").get("start").asInt()).isEqualTo(3);
        assertThat(config.get("ema").get("decay").asDouble()).isEqualTo(0.9);
        assertThat(config.get("schedule").asText()).isEqualTo("swa");
    }

    @Test
    void averagingEveryOtherEpochTakesExactlyThoseSnapshots() {
        Path other = temp.resolve("swa-c2");
        CliRunner.Result result = CliRunner.run("swa", "--data", "synthetic", "--model", "cnn", "--epochs", "4",
                "--swa-start", "2", "--swa-c-epochs", "2", "--lr-init", "0.05", "--swa-lr", "0.05",
                "--train-limit", "128", "--test-limit", "50", "--seed", "5", "--run", other.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertMeanOfSnapshots(other, other.resolve("swa.safetensors"), 2, 4);
    }

    @Test
    void tailStageTwaRunsOnTheSwaSnapshots() {
        CliRunner.Result twa = CliRunner.run("twa", "--run", run.toString(), "--params-start", "3", "--params-end", "6",
                "--train-start", "5", "--epochs", "1", "--lr", "0.5", "--wd", "5e-5");
        assertThat(twa.exitCode()).as(twa.err()).isZero();
        assertThat(run.resolve("twa/p3-6/weights.safetensors")).isRegularFile();
    }

    @Test
    void swaStartBeyondTheRunIsPlainSgdWithoutAnAverage() {
        Path sgd = temp.resolve("sgd");
        CliRunner.Result result = CliRunner.run("swa", "--data", "synthetic", "--model", "cnn", "--epochs", "2",
                "--swa-start", "9", "--train-limit", "64", "--test-limit", "20", "--run", sgd.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("no averaging");
        assertThat(sgd.resolve("swa.safetensors")).doesNotExist();
    }

    @Test
    void badSwaAndEmaFlagsNameTheFlag() {
        for (List<String> flags : List.of(List.of("--swa-lr", "-1"), List.of("--swa-start", "0"), List.of("--eval-freq", "0"),
                List.of("--ema-decay", "1.5"), List.of("--ema-warmup"))) {
            String[] args = java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("swa", "--data", "synthetic", "--epochs", "2", "--run", temp.resolve("bad").toString()),
                    flags.stream()).toArray(String[]::new);
            CliRunner.Result result = CliRunner.run(args);
            assertThat(result.exitCode()).as(String.join(" ", flags)).isEqualTo(ExitCode.USAGE);
            assertThat(result.err().strip().lines()).hasSize(1);
            assertThat(result.err()).contains(flags.get(0).equals("--ema-warmup") ? "--ema-decay" : flags.get(0));
            assertThat(temp.resolve("bad")).doesNotExist();
        }
    }
}
