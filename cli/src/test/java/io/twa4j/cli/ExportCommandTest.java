package io.twa4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.twa4j.core.safetensors.Dtype;
import io.twa4j.core.safetensors.Header;
import io.twa4j.core.safetensors.SafeTensors;
import io.twa4j.vision.models.ModelZoo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code twa4j export}: a snapshot with PyTorch's names (and back to twa4j's), which eval, finetune
 * and soups read as they read twa4j's own; a snapshot the run lacks is refused. That PyTorch loads
 * the file and computes the same logits is checked in run's {@code PyTorchInteropTest}.
 */
class ExportCommandTest {

    @TempDir
    static Path temp;

    private static Path run;

    @BeforeAll
    static void train() {
        run = TinyRun.train(temp.resolve("run"));
    }

    @Test
    void exportedWeightsCarryPyTorchNamesAndEvaluateAsTheSnapshotDoes() throws Exception {
        Path torch = temp.resolve("s2-torch.safetensors");
        CliRunner.Result exported = CliRunner.run("export", "--run", run.toString(), "--snapshot", "2", "--out", torch.toString());
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        assertThat(exported.out()).contains("snapshot 2: 18 tensors with PyTorch names written to " + torch);
        Header header = SafeTensors.readHeader(torch);
        assertThat(header.names()).containsExactlyElementsOf(ModelZoo.torchNames("cnn").stateDictKeys());
        assertThat(header.entry("1.num_batches_tracked").dtype()).isEqualTo(Dtype.I64);
        assertThat(header.entry("1.num_batches_tracked").shape().dimension()).isZero();
        assertThat(header.metadata()).containsEntry("format", "pt").containsEntry("model", "cnn").containsEntry("source", "snapshot 2");

        String bySnapshot = CliRunner.run("eval", "--run", run.toString(), "--snapshot", "2", "--json").out();
        CliRunner.Result byTorchFile = CliRunner.run("eval", "--run", run.toString(), "--weights", torch.toString(), "--json");
        assertThat(byTorchFile.exitCode()).as(byTorchFile.err()).isZero();
        assertThat(withoutSource(byTorchFile.out())).isEqualTo(withoutSource(bySnapshot));

        Path parallel = temp.resolve("s2-module.safetensors"); // as saved from a DataParallel model
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> prefixed = new LinkedHashMap<>();
            SafeTensors.readStored(torch, manager).forEach((key, value) -> prefixed.put("module." + key, value));
            SafeTensors.write(parallel, prefixed, Map.of());
        }
        Path back = temp.resolve("s2-twa4j.safetensors");
        CliRunner.Result twa4j = CliRunner.run("export", "--run", run.toString(), "--weights", parallel.toString(), "--format", "twa4j",
                "--out", back.toString());
        assertThat(twa4j.exitCode()).as(twa4j.err()).isZero();
        assertThat(SafeTensors.readHeader(back).names()).startsWith("01Conv2d_weight").hasSize(16);
        assertThat(withoutSource(CliRunner.run("eval", "--run", run.toString(), "--weights", back.toString(), "--json").out()))
                .isEqualTo(withoutSource(bySnapshot));
    }

    @Test
    void soupsAndFinetuningTakePyTorchNamedIngredients() {
        String[] data = {"--data", "synthetic", "--train-limit", "256", "--test-limit", "100", "--val-ratio", "0.25", "--device", "cpu"};
        Path one = temp.resolve("i1.safetensors");
        Path two = temp.resolve("i2.safetensors");
        assertThat(CliRunner.run("export", "--run", run.toString(), "--snapshot", "1", "--out", one.toString()).exitCode()).isZero();
        assertThat(CliRunner.run("export", "--run", run.toString(), "--snapshot", "2", "--out", two.toString()).exitCode()).isZero();
        CliRunner.Result ours = CliRunner.run(concat(new String[] {"soup", "--method", "uniform", "--run", temp.resolve("soup1").toString(),
            "--models", run + ":1", run + ":2"}, data));
        CliRunner.Result theirs = CliRunner.run(concat(new String[] {"soup", "--method", "uniform", "--model", "cnn", "--run",
            temp.resolve("soup2").toString(), "--models", one.toString(), two.toString()}, data));
        assertThat(theirs.exitCode()).as(theirs.err()).isZero();
        assertThat(accuracies(theirs.out())).isNotEmpty().isEqualTo(accuracies(ours.out()));

        CliRunner.Result tuned = CliRunner.run(concat(new String[] {"finetune", "--from", two.toString(), "--model", "cnn", "--epochs", "1",
            "--lr", "0.01", "--run", temp.resolve("tuned").toString()}, data));
        assertThat(tuned.exitCode()).as(tuned.err()).isZero();
    }

    @Test
    void aSnapshotTheRunLacksIsRefused() {
        CliRunner.Result missing = CliRunner.run("export", "--run", run.toString(), "--snapshot", "9", "--out", temp.resolve("x").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(missing.err()).contains("--snapshot 9 is not a snapshot of run " + run + ": it has 0..2");
        assertThat(temp.resolve("x")).doesNotExist();
        CliRunner.Result other = CliRunner.run("export", "--run", run.toString(), "--weights", run + ":9", "--out", temp.resolve("y").toString());
        assertThat(other.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(other.err()).contains("--weights " + run + ":9: run " + run + " has snapshots 0..2");
    }

    private static String withoutSource(String json) {
        return json.replaceAll("\"source\":\"[^\"]*\",?", "");
    }

    /** The lines that report accuracies (not those naming the ingredients or the result directory). */
    private static java.util.List<String> accuracies(String text) {
        return text.lines().filter(line -> line.contains("accuracy") && !line.contains(temp.toString()))
                .map(line -> line.replaceAll(" \\([0-9.]+ s\\)", "")).toList();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
