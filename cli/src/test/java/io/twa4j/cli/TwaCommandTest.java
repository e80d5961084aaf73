package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.core.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on synthetic data: twa over a run's snapshots writes every result, and they agree with each other. */
class TwaCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    private static Path run;

    @BeforeAll
    static void trainThenTwa() {
        run = temp.resolve("run");
        CliRunner.Result train = CliRunner.run("train", "--data", "synthetic", "--model", "cnn", "--epochs", "4", "--lr", "0.05",
                "--train-limit", "512", "--test-limit", "200", "--seed", "3", "--run", run.toString());
        assertThat(train.exitCode()).as(train.err()).isZero();
        CliRunner.Result twa = CliRunner.run("twa", "--run", run.toString(), "--params-start", "0", "--params-end", "5",
                "--epochs", "1", "--lr", "0.5");
        assertThat(twa.exitCode()).as(twa.err()).isZero();
        assertThat(twa.out()).contains("average of the 5 snapshots + BN update").contains("TWA + BN update");
    }

    @Test
    void writesWeightsCoefficientsSummaryAndPlots() throws IOException {
        Path result = run.resolve("twa/p0-5");
        assertThat(result.resolve("weights.safetensors")).isRegularFile();
        JsonNode summary = JSON.readTree(result.resolve("summary.json").toFile());
        assertThat(summary.get("n").asInt()).isEqualTo(5);
        assertThat(summary.get("basis_error").asDouble()).isLessThan(1e-5);
        assertThat(summary.get("twa").get("test_acc").asDouble()).isBetween(0.0, 1.0);
        assertThat(summary.get("average").get("test_acc").asDouble()).isBetween(0.0, 1.0);
        for (String plot : List.of("plots/accuracy.png", "plots/coefficients.png")) {
            byte[] png = Files.readAllBytes(result.resolve(plot));
            assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        }
        List<String> phases = Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(line -> {
                    try {
                        return JSON.readTree(line).get("phase").asText();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
        assertThat(phases).containsExactly("train", "train", "train", "train", "twa-average", "twa", "twa-final");
        // nothing half-written next to the result
        try (var entries = Files.list(run.resolve("twa"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("p0-5");
        }
    }

    @Test
    void withoutTheBaselineTheSameCoefficientsComeOutAndTheSummarySaysSo() throws IOException {
        Path copy = copyOfTheRun("no-baseline");
        CliRunner.Result twa = CliRunner.run("twa", "--run", copy.toString(), "--params-start", "0", "--params-end", "5",
                "--epochs", "1", "--lr", "0.5", "--no-baseline", "--name", "p0-5");
        assertThat(twa.exitCode()).as(twa.err()).isZero();
        assertThat(twa.out()).doesNotContain("average of the").contains("time: basis").contains("baseline 0.0 s");
        JsonNode summary = JSON.readTree(copy.resolve("twa/p0-5/summary.json").toFile());
        assertThat(summary.get("average").isNull()).isTrue();
        assertThat(summary.get("settings").get("baseline").asBoolean()).isFalse();
        assertThat(summary.get("seconds_split").get("training").asDouble()).isPositive();
        // the baseline's BN pass only touches running statistics, which train-mode steps do not read
        assertThat(Files.readAllLines(copy.resolve("twa/p0-5/coefficients.csv")))
                .isEqualTo(Files.readAllLines(run.resolve("twa/p0-5/coefficients.csv")));
    }

    /** A copy of the run as training left it (no TWA results), under {@code name}. */
    private static Path copyOfTheRun(String name) throws IOException {
        Path copy = temp.resolve(name);
        try (var paths = Files.walk(run)) {
            for (Path path : paths.toList()) {
                Path target = copy.resolve(run.relativize(path).toString());
                if (path.startsWith(run.resolve("twa"))) {
                    continue;
                }
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
        return copy;
    }

    @Test
    void theCoefficientsReproduceTheWeightsFromTheSnapshots() throws IOException {
        assertThat(Files.readAllLines(run.resolve("twa/p0-5/coefficients.csv"))).hasSize(6);
        assertReproduced(run, run.resolve("twa/p0-5"), name -> "all");
    }

    @Test
    void perLayerCoefficientsReproduceEveryLayerAndAnInt8BasisTakesAQuarterOfTheMemory() throws IOException {
        Path copy = copyOfTheRun("layers");
        CliRunner.Result layers = CliRunner.run("twa", "--run", copy.toString(), "--params-start", "0", "--params-end", "5",
                "--epochs", "1", "--lr", "0.5", "--coefficients", "per-layer", "--name", "layers");
        assertThat(layers.exitCode()).as(layers.err()).isZero();
        assertThat(layers.out()).contains("blocks (per-layer)");
        assertReproduced(copy, copy.resolve("twa/layers"), name -> name.substring(0, name.lastIndexOf('_')));
        CliRunner.Result quantised = CliRunner.run("twa", "--run", copy.toString(), "--params-start", "0", "--params-end", "5",
                "--epochs", "1", "--lr", "0.5", "--basis-dtype", "int8", "--name", "int8");
        assertThat(quantised.exitCode()).as(quantised.err()).isZero();
        JsonNode whole = JSON.readTree(run.resolve("twa/p0-5/summary.json").toFile());
        JsonNode small = JSON.readTree(copy.resolve("twa/int8/summary.json").toFile());
        assertThat(small.get("basis_dtype").asText()).isEqualTo("int8");
        assertThat(small.get("basis_mib").asDouble()).isBetween(0.24 * whole.get("basis_mib").asDouble(),
                0.26 * whole.get("basis_mib").asDouble());
        assertThat(small.get("basis_error").asDouble()).isLessThan(0.05);
        assertThat(small.get("twa").get("test_acc").asDouble()).isCloseTo(whole.get("twa").get("test_acc").asDouble(),
                org.assertj.core.api.Assertions.within(0.1));
        CliRunner.Result bad = CliRunner.run("twa", "--run", copy.toString(), "--params-end", "5", "--coefficients", "blocks:0");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err().strip()).doesNotContain("\n").contains("--coefficients").contains("K >= 1");
    }

    /** The trainable weights of {@code result} equal, block by block, the combination of the snapshots its coefficients.csv gives. */
    private static void assertReproduced(Path run, Path result, java.util.function.Function<String, String> blockOf) throws IOException {
        List<String> csv = Files.readAllLines(result.resolve("coefficients.csv"));
        assertThat(csv.get(0)).isEqualTo("snapshot,epoch,block,coefficient");
        SnapshotStore store = SnapshotStore.open(run);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> weights = SafeTensors.read(result.resolve("weights.safetensors"), manager);
            Map<String, NDArray> combination = new java.util.LinkedHashMap<>();
            for (String line : csv.subList(1, csv.size())) {
                String[] fields = line.split(",");
                int snapshot = Integer.parseInt(fields[0]);
                assertThat(Double.parseDouble(fields[1])).isEqualTo(snapshot); // one snapshot per epoch
                float coefficient = Float.parseFloat(fields[3]);
                for (Map.Entry<String, NDArray> entry : store.read(snapshot, manager).entrySet()) {
                    if (!entry.getKey().contains("running") && blockOf.apply(entry.getKey()).equals(fields[2])) {
                        NDArray term = entry.getValue().mul(coefficient);
                        combination.merge(entry.getKey(), term, NDArray::add);
                    }
                }
            }
            int checked = 0;
            for (Map.Entry<String, NDArray> entry : weights.entrySet()) {
                if (entry.getKey().contains("running")) {
                    continue; // BatchNorm statistics are recomputed, not combined
                }
                NDArray expected = combination.get(entry.getKey());
                assertThat(expected).as("a coefficient of %s's block", entry.getKey()).isNotNull();
                double error = expected.sub(entry.getValue()).norm().getFloat();
                assertThat(error).as(entry.getKey()).isLessThanOrEqualTo(1e-4 * (1 + entry.getValue().norm().getFloat()));
                checked++;
            }
            assertThat(checked).isGreaterThan(4);
        }
    }

    @Test
    void evalOfTheTwaWeightsGivesTheReportedAccuracy() throws IOException {
        Path result = run.resolve("twa/p0-5");
        CliRunner.Result eval = CliRunner.run("eval", "--run", run.toString(), "--weights", result.resolve("weights.safetensors").toString(), "--json");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        JsonNode summary = JSON.readTree(result.resolve("summary.json").toFile());
        assertThat(JSON.readTree(eval.out()).get("test_acc").asDouble()).isEqualTo(summary.get("twa").get("test_acc").asDouble());
    }

    @Test
    void badRangesAreRefusedWithOneLine() {
        CliRunner.Result reversed = CliRunner.run("twa", "--run", run.toString(), "--params-start", "3", "--params-end", "3");
        assertThat(reversed.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(reversed.err()).contains("--params-end (3) must be greater than --params-start (3)");
        CliRunner.Result past = CliRunner.run("twa", "--run", run.toString(), "--params-end", "9");
        assertThat(past.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(past.err()).contains("snapshots 0..4").contains("at most 5");
        CliRunner.Result one = CliRunner.run("twa", "--run", run.toString(), "--params-start", "4", "--params-end", "5");
        assertThat(one.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(one.err()).contains("at least 2 snapshots");
        CliRunner.Result exists = CliRunner.run("twa", "--run", run.toString(), "--params-end", "5", "--epochs", "1");
        assertThat(exists.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(exists.err()).contains("--overwrite");
        for (CliRunner.Result result : List.of(reversed, past, one, exists)) {
            assertThat(result.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void trainWithTwaAfterGoesStraightIntoTwaWithoutSnapshotFiles() throws IOException {
        Path direct = temp.resolve("direct");
        CliRunner.Result result = CliRunner.run("train", "--data", "synthetic", "--model", "cnn", "--epochs", "4", "--lr", "0.05",
                "--train-limit", "512", "--test-limit", "200", "--seed", "3", "--twa-after", "2", "--twa-epochs", "1",
                "--twa-lr", "0.5", "--run", direct.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(direct.resolve("snapshots")).doesNotExist();
        JsonNode summary = JSON.readTree(direct.resolve("twa/p0-3/summary.json").toFile());
        assertThat(summary.get("n").asInt()).isEqualTo(3);
        // the same seed and budget: its first two epochs are those of the file-based run
        for (int line = 0; line < 2; line++) {
            JsonNode streamed = JSON.readTree(Files.readAllLines(direct.resolve("metrics.jsonl")).get(line));
            JsonNode filed = JSON.readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(line));
            assertThat(streamed.get("train_loss").asDouble()).isEqualTo(filed.get("train_loss").asDouble());
            assertThat(streamed.get("test_acc").asDouble()).isEqualTo(filed.get("test_acc").asDouble());
        }
    }
}
